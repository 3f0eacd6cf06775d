package io.beamline.deploy.cnpg;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.List;
import java.util.Map;

/**
 * The part of the CloudNativePG {@code postgresql.cnpg.io/v1} API that Beamline's manifests use, as
 * strict records.
 *
 * <p>No registry reachable here ships CloudNativePG's CRD schema or a Java model of it, so these
 * records transcribe the fields (names, types, enums, required fields) of the CloudNativePG API
 * reference (https://cloudnative-pg.io/documentation/current/cloudnative-pg.v1/) for the subset in
 * use. Parsed strictly, they reject a misspelt or mistyped field; a manifest that starts to use a
 * further CloudNativePG field must add it here, checked against that reference.
 */
public final class Cnpg {

  private Cnpg() {}

  /** {@code Cluster}: a PostgreSQL cluster. */
  public record Cluster(
      @JsonProperty(required = true) String apiVersion,
      @JsonProperty(required = true) String kind,
      @JsonProperty(required = true) ObjectMeta metadata,
      @JsonProperty(required = true) ClusterSpec spec) {}

  /** {@code ClusterSpec}, the fields in use. */
  public record ClusterSpec(
      @JsonProperty(required = true) Integer instances,
      String imageName,
      PrimaryUpdateStrategy primaryUpdateStrategy,
      PostgresConfiguration postgresql,
      @JsonProperty(required = true) StorageConfiguration storage,
      AffinityConfiguration affinity,
      ResourceRequirements resources,
      ManagedConfiguration managed,
      BackupConfiguration backup) {}

  /** {@code BackupConfiguration}: where and how long backups are kept. */
  public record BackupConfiguration(
      BarmanObjectStoreConfiguration barmanObjectStore, String retentionPolicy) {}

  /** {@code BarmanObjectStoreConfiguration}, the S3 fields in use. */
  public record BarmanObjectStoreConfiguration(
      @JsonProperty(required = true) String destinationPath,
      @JsonProperty("endpointURL") String endpointUrl,
      S3Credentials s3Credentials,
      WalBackupConfiguration wal,
      DataBackupConfiguration data,
      String serverName) {}

  /** {@code S3Credentials}. */
  public record S3Credentials(
      SecretKeySelector accessKeyId,
      SecretKeySelector secretAccessKey,
      SecretKeySelector region,
      SecretKeySelector sessionToken,
      Boolean inheritFromIAMRole) {}

  /** {@code SecretKeySelector}: a key of a Secret in the Cluster's namespace. */
  public record SecretKeySelector(
      @JsonProperty(required = true) String name, @JsonProperty(required = true) String key) {}

  /** {@code WalBackupConfiguration}. */
  public record WalBackupConfiguration(WalCompression compression, Integer maxParallel) {}

  /** {@code DataBackupConfiguration}. */
  public record DataBackupConfiguration(
      DataCompression compression, Integer jobs, Boolean immediateCheckpoint) {}

  /** Compression of base backups. */
  public enum DataCompression {
    @JsonProperty("gzip")
    GZIP,
    @JsonProperty("bzip2")
    BZIP2,
    @JsonProperty("snappy")
    SNAPPY
  }

  /** Compression of archived WAL. */
  public enum WalCompression {
    @JsonProperty("gzip")
    GZIP,
    @JsonProperty("bzip2")
    BZIP2,
    @JsonProperty("lz4")
    LZ4,
    @JsonProperty("snappy")
    SNAPPY,
    @JsonProperty("xz")
    XZ,
    @JsonProperty("zstd")
    ZSTD
  }

  /** {@code ScheduledBackup}: a backup schedule of a cluster. */
  public record ScheduledBackup(
      @JsonProperty(required = true) String apiVersion,
      @JsonProperty(required = true) String kind,
      @JsonProperty(required = true) ObjectMeta metadata,
      @JsonProperty(required = true) ScheduledBackupSpec spec) {}

  /** {@code ScheduledBackupSpec}; {@code schedule} is a six-field cron (seconds first). */
  public record ScheduledBackupSpec(
      @JsonProperty(required = true) String schedule,
      @JsonProperty(required = true) LocalObjectReference cluster,
      Boolean immediate,
      Boolean suspend,
      BackupOwnerReference backupOwnerReference,
      BackupMethod method) {}

  /** {@code backupOwnerReference}: which object owns the Backup objects created. */
  public enum BackupOwnerReference {
    @JsonProperty("none")
    NONE,
    @JsonProperty("self")
    SELF,
    @JsonProperty("cluster")
    CLUSTER
  }

  /** {@code BackupMethod}. */
  public enum BackupMethod {
    @JsonProperty("barmanObjectStore")
    BARMAN_OBJECT_STORE,
    @JsonProperty("volumeSnapshot")
    VOLUME_SNAPSHOT,
    @JsonProperty("plugin")
    PLUGIN
  }

  /** {@code primaryUpdateStrategy}: who switches the primary over during an update. */
  public enum PrimaryUpdateStrategy {
    @JsonProperty("unsupervised")
    UNSUPERVISED,
    @JsonProperty("supervised")
    SUPERVISED
  }

  /** {@code PostgresConfiguration}: parameters are strings in the CRD (map[string]string). */
  public record PostgresConfiguration(Map<String, String> parameters) {}

  /** {@code StorageConfiguration}. */
  public record StorageConfiguration(String size, String storageClass) {}

  /** {@code AffinityConfiguration}. */
  public record AffinityConfiguration(
      Boolean enablePodAntiAffinity, String topologyKey, AntiAffinityType podAntiAffinityType) {}

  /** {@code podAntiAffinityType}. */
  public enum AntiAffinityType {
    @JsonProperty("preferred")
    PREFERRED,
    @JsonProperty("required")
    REQUIRED
  }

  /** {@code ManagedConfiguration}. */
  public record ManagedConfiguration(List<RoleConfiguration> roles) {}

  /** {@code RoleConfiguration}: a role the operator keeps in the cluster. */
  public record RoleConfiguration(
      @JsonProperty(required = true) String name,
      Ensure ensure,
      Boolean login,
      Boolean superuser,
      Boolean createdb,
      Boolean createrole,
      Boolean inherit,
      Boolean replication,
      Integer connectionLimit,
      String comment,
      List<String> inRoles,
      LocalObjectReference passwordSecret) {}

  /** {@code ensure}: whether the object must exist. */
  public enum Ensure {
    @JsonProperty("present")
    PRESENT,
    @JsonProperty("absent")
    ABSENT
  }

  /** {@code LocalObjectReference}. */
  public record LocalObjectReference(@JsonProperty(required = true) String name) {}

  /** {@code Database}: a database declared in a cluster. */
  public record Database(
      @JsonProperty(required = true) String apiVersion,
      @JsonProperty(required = true) String kind,
      @JsonProperty(required = true) ObjectMeta metadata,
      @JsonProperty(required = true) DatabaseSpec spec) {}

  /** {@code DatabaseSpec}, the fields in use. */
  public record DatabaseSpec(
      @JsonProperty(required = true) String name,
      @JsonProperty(required = true) String owner,
      @JsonProperty(required = true) LocalObjectReference cluster,
      Ensure ensure,
      DatabaseReclaimPolicy databaseReclaimPolicy) {}

  /** {@code databaseReclaimPolicy}: what deleting the Database resource does to the database. */
  public enum DatabaseReclaimPolicy {
    @JsonProperty("retain")
    RETAIN,
    @JsonProperty("delete")
    DELETE
  }
}
