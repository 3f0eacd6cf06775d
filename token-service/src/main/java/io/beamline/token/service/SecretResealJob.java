package io.beamline.token.service;

import io.beamline.token.StreamingToken;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.List;

/**
 * After a master-key rotation, re-seals token secrets still sealed with an older key version, in
 * small batches, so the old key can be dropped from configuration once none is left.
 */
@ApplicationScoped
public class SecretResealJob {

  private static final int BATCH = 200;

  private final EntityManager entityManager;
  private final KeyCipher cipher;
  private final TokenSecrets secrets;

  public SecretResealJob(EntityManager entityManager, KeyCipher cipher, TokenSecrets secrets) {
    this.entityManager = entityManager;
    this.cipher = cipher;
    this.secrets = secrets;
  }

  @Scheduled(
      identity = "token-secret-reseal",
      every = "${beamline.secrets.reseal-interval:60s}",
      delayed = "10s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void run() {
    int total = 0;
    int done;
    do {
      done = QuarkusTransaction.requiringNew().call(this::resealBatch);
      total += done;
    } while (done == BATCH);
    if (total > 0) {
      Log.infof(
          "re-sealed %d token secrets with master key version %d", total, cipher.currentVersion());
    }
  }

  /** Re-seals one batch; rows locked by another instance are skipped. */
  @SuppressWarnings("unchecked")
  int resealBatch() {
    if (cipher.olderVersions().isEmpty()) {
      return 0;
    }
    List<StreamingToken> stale =
        entityManager
            .createNativeQuery(
                "SELECT * FROM streaming_token WHERE secret_key_version IN (:older)"
                    + " ORDER BY id LIMIT :batch FOR UPDATE SKIP LOCKED",
                StreamingToken.class)
            .setParameter("older", cipher.olderVersions())
            .setParameter("batch", BATCH)
            .getResultList();
    int done = 0;
    for (StreamingToken token : stale) {
      if (secrets.reseal(token)) {
        done++;
      }
    }
    return stale.size() == BATCH ? BATCH : done;
  }
}
