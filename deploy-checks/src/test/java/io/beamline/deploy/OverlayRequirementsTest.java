package io.beamline.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** What each overlay promises: probes, scaling, disruption budgets, spreading, resources. */
class OverlayRequirementsTest {

  static final List<String> KUSTOMIZATIONS = Manifests.KUSTOMIZATIONS;
  static final List<String> SERVICES = ComposeSchemaTest.SERVICES;
  private static final String DEV = "k8s/overlays/dev";
  private static final String PROD = "k8s/overlays/prod";

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void everyServiceHasHealthProbesMetricsAndItsOwnDatabase(String kustomization) {
    for (String service : SERVICES) {
      JsonNode deployment = Manifests.named(kustomization, "Deployment", service);
      JsonNode pod = deployment.path("spec").path("template");
      JsonNode container = pod.path("spec").path("containers").get(0);

      assertEquals(
          "/q/health/live", container.path("livenessProbe").path("httpGet").path("path").asText());
      assertEquals(
          "/q/health/ready",
          container.path("readinessProbe").path("httpGet").path("path").asText());
      assertEquals(
          "true", pod.path("metadata").path("annotations").path("prometheus.io/scrape").asText());
      assertEquals(
          "/q/metrics",
          pod.path("metadata").path("annotations").path("prometheus.io/path").asText());
      assertTrue(pod.path("spec").path("securityContext").path("runAsNonRoot").asBoolean());
      String db = service.substring(0, service.indexOf('-'));
      assertEquals(
          "jdbc:postgresql://beamline-pg-rw:5432/" + db,
          env(container, "QUARKUS_DATASOURCE_JDBC_URL").path("value").asText());
      assertEquals(
          "beamline-db-" + db,
          env(container, "QUARKUS_DATASOURCE_PASSWORD")
              .path("valueFrom")
              .path("secretKeyRef")
              .path("name")
              .asText());
      Manifests.named(kustomization, "Database", "beamline-pg-" + db);
    }
    JsonNode token = Manifests.named(kustomization, "Deployment", "token-service");
    assertEquals(
        "beamline-master-key",
        env(
                token.path("spec").path("template").path("spec").path("containers").get(0),
                "BEAMLINE_SECRETS_MASTER_KEY")
            .path("valueFrom")
            .path("secretKeyRef")
            .path("name")
            .asText());
  }

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void tokenServiceMintsTheInternalKeyStreamServiceReads(String kustomization) {
    JsonNode token = Manifests.named(kustomization, "Deployment", "token-service");
    JsonNode stream = Manifests.named(kustomization, "Deployment", "stream-service");
    JsonNode tokenContainer =
        token.path("spec").path("template").path("spec").path("containers").get(0);
    JsonNode streamPod = stream.path("spec").path("template").path("spec");
    JsonNode streamContainer = streamPod.path("containers").get(0);

    String written =
        env(tokenContainer, "BEAMLINE_BOOTSTRAP_INTERNAL_KEY_FILE").path("value").asText();
    assertTrue(
        mountOf(tokenContainer, written) != null,
        () -> written + " is on no volume of token-service");
    String read =
        env(streamContainer, "BEAMLINE_STREAM_TOKEN_SERVICE_INTERNAL_KEY_FILE")
            .path("value")
            .asText();
    JsonNode mount = mountOf(streamContainer, read);
    assertTrue(mount != null, () -> read + " is on no volume of stream-service");
    JsonNode volume = null;
    for (JsonNode v : streamPod.path("volumes")) {
      if (v.path("name").asText().equals(mount.path("name").asText())) {
        volume = v;
      }
    }
    assertEquals("beamline-internal-key", volume.path("secret").path("secretName").asText());
    assertEquals(
        "internal-key",
        read.substring(read.lastIndexOf('/') + 1),
        "the Secret's key names the file");
    assertEquals(
        "beamline-media-jwt",
        env(streamContainer, "BEAMLINE_STREAM_MEDIA_JWT_SECRET")
            .path("valueFrom")
            .path("secretKeyRef")
            .path("name")
            .asText(),
        "replicas must share the media JWT key");
    assertEquals(
        "http://token-service:8081",
        env(streamContainer, "BEAMLINE_STREAM_TOKEN_SERVICE_URL").path("value").asText());
  }

  private static JsonNode mountOf(JsonNode container, String file) {
    for (JsonNode m : container.path("volumeMounts")) {
      if (file.startsWith(m.path("mountPath").asText() + "/")) {
        return m;
      }
    }
    return null;
  }

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void mediaNodesAreScalableWithAServicePerProtocol(String kustomization) {
    JsonNode media = Manifests.named(kustomization, "StatefulSet", "media-node");
    JsonNode rtmp = Manifests.named(kustomization, "Service", "media-rtmp");
    JsonNode hls = Manifests.named(kustomization, "Service", "media-hls");

    assertTrue(media.path("spec").path("replicas").asInt() >= 1);
    assertEquals(1935, rtmp.path("spec").path("ports").get(0).path("port").asInt());
    assertEquals("TCP", rtmp.path("spec").path("ports").get(0).path("protocol").asText());
    assertEquals(1, rtmp.path("spec").path("ports").size());
    assertEquals("hls", hls.path("spec").path("ports").get(0).path("name").asText());
    assertEquals(1, hls.path("spec").path("ports").size(), "the control port must stay internal");
    assertEquals(
        "http://stream-service:8082",
        env(
                media.path("spec").path("template").path("spec").path("containers").get(0),
                "STREAM_SERVICE_URL")
            .path("value")
            .asText());
  }

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void oneMediaNodePerCluster(String kustomization) {
    // stream-service drives one media node (its /stat, /control and the feeds it records), and a
    // player must reach the node carrying its feed: several nodes behind one LoadBalancer would
    // have feeds attributed to the wrong node and ended by its /stat reconciliation.
    JsonNode media = Manifests.named(kustomization, "StatefulSet", "media-node");
    assertEquals(1, media.path("spec").path("replicas").asInt(), kustomization);
    Manifests.ofKind(kustomization, "HorizontalPodAutoscaler")
        .forEach(
            h ->
                assertNotEquals(
                    "media-node",
                    h.path("spec").path("scaleTargetRef").path("name").asText(),
                    Kustomize.id(h)));
  }

  @Test
  void devRunsOneReplicaOfEverything() {
    for (String kind : List.of("Deployment", "StatefulSet")) {
      Manifests.ofKind(DEV, kind)
          .forEach(w -> assertEquals(1, w.path("spec").path("replicas").asInt(), Kustomize.id(w)));
    }
    Manifests.ofKind(DEV, "KafkaNodePool")
        .forEach(p -> assertEquals(1, p.path("spec").path("replicas").asInt()));
    assertEquals(1, Manifests.ofKind(DEV, "KafkaNodePool").size(), "one combined Kafka node");
    assertEquals(
        1, Manifests.named(DEV, "Cluster", "beamline-pg").path("spec").path("instances").asInt());
    assertEquals(
        1,
        Manifests.named(DEV, "Kafka", "beamline")
            .path("spec")
            .path("kafka")
            .path("config")
            .path("min.insync.replicas")
            .asInt());
    assertTrue(Manifests.ofKind(DEV, "HorizontalPodAutoscaler").isEmpty());
  }

  @Test
  void prodBacksUpPostgresIntoABucketThatExists() {
    JsonNode store =
        Manifests.named(PROD, "Cluster", "beamline-pg")
            .path("spec")
            .path("backup")
            .path("barmanObjectStore");
    String destination = store.path("destinationPath").asText();
    assertTrue(destination.startsWith("s3://"), destination);
    String bucket = destination.substring("s3://".length()).split("/")[0];
    String bucketJob =
        Manifests.named(PROD, "Job", "minio-create-bucket")
            .path("spec")
            .path("template")
            .path("spec")
            .path("containers")
            .get(0)
            .path("command")
            .toString();
    assertTrue(
        bucketJob.contains("mc mb --ignore-existing beamline/" + bucket),
        () -> "nothing creates the backup bucket " + bucket);
    assertEquals("http://minio:9000", store.path("endpointURL").asText());
    JsonNode schedule = Manifests.named(PROD, "ScheduledBackup", "beamline-pg-nightly");
    assertEquals("beamline-pg", schedule.path("spec").path("cluster").path("name").asText());
    assertEquals(
        6,
        schedule.path("spec").path("schedule").asText().split(" ").length,
        "CloudNativePG schedules have six fields, seconds first");
    assertTrue(Manifests.ofKind(DEV, "ScheduledBackup").isEmpty(), "dev keeps no backups");
  }

  @Test
  void prodAutoscalesProtectsAndSpreadsEveryWorkload() {
    Set<String> scaled = new TreeSet<>();
    Manifests.ofKind(PROD, "HorizontalPodAutoscaler")
        .forEach(
            h -> {
              scaled.add(h.path("spec").path("scaleTargetRef").path("name").asText());
              assertTrue(h.path("spec").path("minReplicas").asInt() >= 2, Kustomize.id(h));
            });
    // Media nodes are not autoscaled: one per cluster (see oneMediaNodePerCluster).
    assertEquals(new TreeSet<>(SERVICES), scaled);
    Set<String> expected = new TreeSet<>(SERVICES);
    expected.add("media-node");

    Set<String> budgets = new TreeSet<>();
    Manifests.ofKind(PROD, "PodDisruptionBudget")
        .forEach(
            p ->
                budgets.add(
                    p.path("spec")
                        .path("selector")
                        .path("matchLabels")
                        .path("app.kubernetes.io/name")
                        .asText()));
    expected.add("minio");
    assertEquals(expected, budgets);

    for (String workload : expected) {
      JsonNode object =
          Manifests.rendered(PROD).stream()
              .filter(o -> o.path("spec").path("template").isObject())
              .filter(o -> workload.equals(o.path("metadata").path("name").asText()))
              .findFirst()
              .orElseThrow();
      JsonNode pod = object.path("spec").path("template").path("spec");
      assertFalse(
          pod.path("affinity").path("podAntiAffinity").isMissingNode(),
          () -> workload + " has no anti-affinity");
      String antiAffinity = pod.path("affinity").path("podAntiAffinity").toString();
      assertTrue(
          antiAffinity.contains("\"app.kubernetes.io/name\":\"" + workload + "\""),
          () -> workload + " repels the wrong pods");
      JsonNode resources = pod.path("containers").get(0).path("resources");
      assertFalse(
          resources.path("requests").path("cpu").isMissingNode(),
          () -> workload + " has no CPU request");
      assertFalse(
          resources.path("limits").path("memory").isMissingNode(),
          () -> workload + " has no memory limit");
    }
    assertEquals(
        4, Manifests.named(PROD, "StatefulSet", "minio").path("spec").path("replicas").asInt());
    assertEquals(
        3, Manifests.named(PROD, "Cluster", "beamline-pg").path("spec").path("instances").asInt());
    JsonNode monitor = Manifests.named(PROD, "ServiceMonitor", "beamline-services");
    assertEquals("/q/metrics", monitor.path("spec").path("endpoints").get(0).path("path").asText());
    assertEquals("http", monitor.path("spec").path("endpoints").get(0).path("port").asText());
  }

  private static JsonNode env(JsonNode container, String name) {
    for (JsonNode e : container.path("env")) {
      if (name.equals(e.path("name").asText())) {
        return e;
      }
    }
    throw new AssertionError("no env " + name + " in " + container.path("name").asText());
  }
}
