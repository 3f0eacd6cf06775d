package io.beamline.platform.testapp;

import io.beamline.platform.outbox.OutboxWriter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.UUID;

/** Records ticks: one state change plus one outbox event per call, in one transaction. */
@ApplicationScoped
public class TickService {

  public static final String TOPIC = "platform-test-ticks";

  private final EntityManager entityManager;
  private final OutboxWriter outbox;

  public TickService(EntityManager entityManager, OutboxWriter outbox) {
    this.entityManager = entityManager;
    this.outbox = outbox;
  }

  @Transactional
  public UUID record(String label) {
    UUID id = UUID.randomUUID();
    entityManager
        .createNativeQuery("insert into tick (id, label) values (?1, ?2)")
        .setParameter(1, id)
        .setParameter(2, label)
        .executeUpdate();
    outbox.append(TOPIC, label, new TickRecordedEvent(id, "acct-test", Instant.now(), label));
    return id;
  }

  /** Writes a tick and its event, then fails: neither may survive. */
  @Transactional
  public void recordThenFail(String label) {
    record(label);
    throw new IllegalStateException("simulated failure after the outbox write");
  }
}
