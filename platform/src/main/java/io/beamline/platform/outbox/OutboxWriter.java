package io.beamline.platform.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.events.BeamlineEvent;
import io.beamline.events.EventJson;
import io.beamline.events.EventTypes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

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

  /** One event for {@link #appendAll}: its topic, Kafka key and CloudEvents subject. */
  public record Outgoing(String topic, String key, BeamlineEvent event, String subject) {}

  /**
   * Stores {@code events} in the given order with one JDBC batch on {@code connection}, inside the
   * transaction the caller holds open on it (auto-commit off) and commits with its own writes: for
   * a writer that groups many small changes into one plain JDBC transaction instead of one JTA
   * transaction and entity persist each. Rows are the same as {@link #append}'s.
   */
  public void appendAll(Connection connection, List<Outgoing> events) throws SQLException {
    if (events.isEmpty()) {
      return;
    }
    OffsetDateTime created = OffsetDateTime.now(ZoneOffset.UTC);
    try (PreparedStatement insert =
        connection.prepareStatement(
            "insert into outbox_event (id, topic, event_key, event_type, source, subject,"
                + " payload, occurred_at, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (Outgoing outgoing : events) {
        insert.setObject(1, outgoing.event().eventId());
        insert.setString(2, outgoing.topic());
        insert.setString(3, outgoing.key());
        insert.setString(4, EventTypes.PREFIX + outgoing.topic());
        insert.setString(5, config.source());
        insert.setString(6, outgoing.subject());
        insert.setString(7, serialize(outgoing.event()));
        insert.setObject(
            8, OffsetDateTime.ofInstant(outgoing.event().occurredAt(), ZoneOffset.UTC));
        insert.setObject(9, created);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  private String serialize(BeamlineEvent event) {
    try {
      return json.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("event cannot be serialized: " + event, e);
    }
  }
}
