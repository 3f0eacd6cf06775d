package io.beamline.systemtests.probe;

import io.beamline.events.stream.ViewerJoinedEvent;
import io.beamline.platform.inbox.IncomingEvent;
import io.beamline.platform.inbox.ProcessedEvents;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Counts viewer-joined events per stream, exactly once, the way every Beamline consumer applies
 * events: de-duplicate by event id in the same transaction as the effect.
 */
@ApplicationScoped
public class ViewerTallyConsumer {

  private final ProcessedEvents processed;
  private final EntityManager entityManager;

  public ViewerTallyConsumer(ProcessedEvents processed, EntityManager entityManager) {
    this.processed = processed;
    this.entityManager = entityManager;
  }

  @Incoming("viewer-joined")
  @Blocking
  @Transactional
  public void apply(ConsumerRecord<String, String> record) {
    IncomingEvent<ViewerJoinedEvent> event = IncomingEvent.read(record, ViewerJoinedEvent.class);
    if (!processed.firstDelivery("viewer-tally", record.topic(), event.eventId())) {
      return;
    }
    String streamId = event.payload().streamId();
    entityManager
        .createNativeQuery(
            "insert into viewer_tally (stream_id, viewers) values (?1, 1)"
                + " on conflict (stream_id) do update set viewers = viewer_tally.viewers + 1")
        .setParameter(1, streamId)
        .executeUpdate();
    entityManager
        .createNativeQuery("insert into applied_viewer_event (event_id, stream_id) values (?1, ?2)")
        .setParameter(1, event.eventId())
        .setParameter(2, streamId)
        .executeUpdate();
  }
}
