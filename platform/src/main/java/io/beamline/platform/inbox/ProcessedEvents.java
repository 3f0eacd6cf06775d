package io.beamline.platform.inbox;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.UUID;

/**
 * The inbox of idempotent consumers: remembers which events a consumer has applied, in the same
 * transaction as their effect.
 */
@ApplicationScoped
public class ProcessedEvents {

  private final EntityManager entityManager;
  private final MeterRegistry registry;

  public ProcessedEvents(EntityManager entityManager, MeterRegistry registry) {
    this.entityManager = entityManager;
    this.registry = registry;
  }

  /**
   * Records that {@code consumer} applies {@code eventId} now.
   *
   * <p>MANDATORY: the id must commit or roll back together with the effect, otherwise a crash
   * between the two either loses the effect or applies it twice.
   *
   * @return {@code true} the first time, {@code false} when the event was already applied and the
   *     caller must skip it
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public boolean firstDelivery(String consumer, String topic, UUID eventId) {
    int inserted =
        entityManager
            .createNativeQuery(
                "insert into processed_event (consumer, event_id, topic) values (?1, ?2, ?3)"
                    + " on conflict do nothing")
            .setParameter(1, consumer)
            .setParameter(2, eventId)
            .setParameter(3, topic)
            .executeUpdate();
    if (inserted == 0) {
      // Redeliveries are expected after a crash or rebalance; the metric shows how many.
      registry
          .counter("beamline.inbox.duplicates", "consumer", consumer, "topic", topic)
          .increment();
      Log.debugf("%s: event %s from %s already applied, skipped", consumer, eventId, topic);
      return false;
    }
    return true;
  }

  /** How many events {@code consumer} has applied; used by tests and diagnostics. */
  @Transactional
  public long count(String consumer) {
    return ((Number)
            entityManager
                .createNativeQuery("select count(*) from processed_event where consumer = ?1")
                .setParameter(1, consumer)
                .getSingleResult())
        .longValue();
  }
}
