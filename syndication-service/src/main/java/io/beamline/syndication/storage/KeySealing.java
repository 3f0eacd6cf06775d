package io.beamline.syndication.storage;

import io.beamline.platform.secrets.SecretSealer;
import io.beamline.syndication.service.TargetKeys;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import jakarta.persistence.EntityManager;
import java.util.List;

/**
 * At startup, before any job runs: refuses to start when the configured master key cannot open the
 * stored stream keys, seals the keys older versions of this service kept in plain text, and
 * re-seals keys of a previous master-key version with the current one.
 */
@ApplicationScoped
public class KeySealing {

  private static final List<String> TABLES = List.of("restream_target", "restream_job");

  private final EntityManager em;
  private final TargetKeys keys;

  public KeySealing(EntityManager em, TargetKeys keys) {
    this.em = em;
    this.keys = keys;
  }

  void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent ignored) {
    QuarkusTransaction.requiringNew().run(this::verifyAndSeal);
  }

  /** The startup pass, in the caller's transaction; public for tests. */
  public void verifyAndSeal() {
    SecretSealer sealer = keys.sealer();
    for (String table : TABLES) {
      verify(table, sealer);
    }
    int sealed = 0;
    int resealed = 0;
    for (String table : TABLES) {
      sealed += sealPlain(table);
      resealed += reseal(table, sealer);
    }
    if (sealed + resealed > 0) {
      Log.infof(
          "stream keys: sealed %d plain key(s), re-sealed %d with master-key version %d",
          sealed, resealed, sealer.currentVersion());
    }
  }

  /** One row of each stored version must open: a wrong key stops the service with a clear cause. */
  private void verify(String table, SecretSealer sealer) {
    @SuppressWarnings("unchecked")
    List<Object[]> samples =
        em.createNativeQuery(
                "select distinct on (stream_key_version) stream_key_version, stream_key_sealed"
                    + " from "
                    + table
                    + " where stream_key_sealed is not null")
            .getResultList();
    for (Object[] row : samples) {
      int version = ((Number) row[0]).intValue();
      if (!sealer.knows(version)) {
        throw new IllegalStateException(
            table
                + " holds stream keys sealed with master-key version "
                + version
                + ", which is not configured: set it in "
                + TargetKeys.PROPERTIES
                + ".previous-master-keys (version:base64) or restore "
                + TargetKeys.PROPERTIES
                + ".master-key");
      }
      try {
        sealer.open(version, (byte[]) row[1]);
      } catch (IllegalStateException e) {
        throw new IllegalStateException(
            "the configured master key of version "
                + version
                + " cannot open the stream keys in "
                + table
                + ": wrong "
                + TargetKeys.PROPERTIES
                + ".master-key (BEAMLINE_SYNDICATION_SECRETS_MASTER_KEY)?",
            e);
      }
    }
  }

  private int sealPlain(String table) {
    @SuppressWarnings("unchecked")
    List<Object[]> plain =
        em.createNativeQuery(
                "select id, stream_key from " + table + " where stream_key is not null for update")
            .getResultList();
    boolean target = "restream_target".equals(table);
    for (Object[] row : plain) {
      String key = (String) row[1];
      var update =
          em.createNativeQuery(
                  "update "
                      + table
                      + " set stream_key_sealed = ?1, stream_key_version = ?2, stream_key = null"
                      + (target ? ", key_hint = ?4" : "")
                      + " where id = ?3")
              .setParameter(1, keys.seal(key))
              .setParameter(2, keys.sealer().currentVersion())
              .setParameter(3, row[0]);
      if (target) {
        update.setParameter(4, TargetKeys.hint(key));
      }
      update.executeUpdate();
    }
    return plain.size();
  }

  private int reseal(String table, SecretSealer sealer) {
    int count = 0;
    for (int version : sealer.olderVersions()) {
      @SuppressWarnings("unchecked")
      List<Object[]> rows =
          em.createNativeQuery(
                  "select id, stream_key_sealed from "
                      + table
                      + " where stream_key_version = ?1 for update")
              .setParameter(1, version)
              .getResultList();
      for (Object[] row : rows) {
        byte[] plain = sealer.open(version, (byte[]) row[1]);
        em.createNativeQuery(
                "update "
                    + table
                    + " set stream_key_sealed = ?1, stream_key_version = ?2 where id = ?3")
            .setParameter(1, sealer.seal(plain))
            .setParameter(2, sealer.currentVersion())
            .setParameter(3, row[0])
            .executeUpdate();
        count++;
      }
    }
    return count;
  }
}
