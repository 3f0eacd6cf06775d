package io.beamline.platform.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.events.BeamlineEvent;
import io.beamline.events.EventJson;
import io.beamline.events.EventTypes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;

/**
 * Appends outgoing events to the outbox inside the caller's transaction, so an event exists if and
 * only if the state change it describes was committed.
 */
@ApplicationScoped
public class OutboxWriter {

  private final EntityManager entityManager;
  private final OutboxConfig config;
  private final ObjectMapper json = EventJson.newObjectMapper();

  public OutboxWriter(EntityManager entityManager, OutboxConfig config) {
    this.entityManager = entityManager;
    this.config = config;
  }

  /**
   * Stores {@code event} for publication on {@code topic} with the given Kafka key.
   *
   * <p>MANDATORY: an event written outside a transaction could be published for a change that is
   * later rolled back, which is exactly the dual write the outbox exists to prevent.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public void append(String topic, String key, BeamlineEvent event) {
    append(topic, key, event, null);
  }

  /** As {@link #append(String, String, BeamlineEvent)}, with a CloudEvents {@code subject}. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void append(String topic, String key, BeamlineEvent event, String subject) {
    OutboxEvent row = new OutboxEvent();
    row.id = event.eventId();
    row.topic = topic;
    row.key = key;
    // Same rule as EventTypes.typeOf, without refusing topics outside the contract (tests use
    // some).
    row.type = EventTypes.PREFIX + topic;
    row.source = config.source();
    row.subject = subject;
    row.payload = serialize(event);
    row.occurredAt = event.occurredAt();
    row.createdAt = Instant.now();
    entityManager.persist(row);
  }

  private String serialize(BeamlineEvent event) {
    try {
      return json.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("event cannot be serialized: " + event, e);
    }
  }
}
