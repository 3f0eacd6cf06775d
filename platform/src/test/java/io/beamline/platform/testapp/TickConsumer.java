package io.beamline.platform.testapp;

import io.beamline.platform.inbox.IncomingEvent;
import io.beamline.platform.inbox.ProcessedEvents;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** An idempotent consumer whose effect (a counter) would show any double delivery. */
@ApplicationScoped
public class TickConsumer {

  static final String NAME = "tick-consumer";

  private final ProcessedEvents processed;
  private final EntityManager entityManager;

  public TickConsumer(ProcessedEvents processed, EntityManager entityManager) {
    this.processed = processed;
    this.entityManager = entityManager;
  }

  @Incoming("ticks-in")
  @Blocking
  @Transactional
  public void consume(ConsumerRecord<String, String> record) {
    IncomingEvent<TickRecordedEvent> event = IncomingEvent.read(record, TickRecordedEvent.class);
    if (!processed.firstDelivery(NAME, record.topic(), event.eventId())) {
      return;
    }
    // A plain increment is not idempotent on its own: only the inbox keeps it exact.
    entityManager
        .createNativeQuery("update tick_counter set value = value + 1 where name = 'received'")
        .executeUpdate();
    entityManager
        .createNativeQuery("insert into received_tick (event_id, label) values (?1, ?2)")
        .setParameter(1, event.eventId())
        .setParameter(2, event.payload().label())
        .executeUpdate();
  }
}
