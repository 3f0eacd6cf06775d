package io.beamline.analytics.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.events.BeamlineEvent;
import io.beamline.events.CloudEventAttributes;
import io.beamline.events.EventCatalog;
import io.beamline.events.EventJson;
import io.beamline.events.EventSamples;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The consumer reads every golden sample of the topics it follows, and rejects broken ones. */
class GoldenSamplesTest {

  private static final ObjectMapper JSON = EventJson.newObjectMapper();

  @Test
  void shouldReadEveryGoldenSampleOfItsTopics() throws Exception {
    for (String topic : AnalyticsEventsConsumer.topics()) {
      Class<? extends BeamlineEvent> type = EventCatalog.forTopic(topic).payloadType();
      BeamlineEvent sample = JSON.readValue(EventSamples.load(topic), type);
      BeamlineEvent read =
          AnalyticsEventsConsumer.read(record(topic, sample, EventSamples.load(topic)));
      assertEquals(sample, read, topic);
    }
  }

  @Test
  void shouldRejectAViewerEventWithoutSession() throws Exception {
    String topic = "viewer-joined";
    BeamlineEvent sample =
        JSON.readValue(EventSamples.load(topic), EventCatalog.forTopic(topic).payloadType());
    String broken = EventSamples.load(topic).replace("\"viewerSessionId\"", "\"renamed\"");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> AnalyticsEventsConsumer.read(record(topic, sample, broken)));
    assertEquals("missing or blank viewerSessionId", e.getMessage());
  }

  private static ConsumerRecord<String, String> record(
      String topic, BeamlineEvent event, String json) {
    ConsumerRecord<String, String> record =
        new ConsumerRecord<>(topic, 0, 0L, CloudEventAttributes.of(event).subject(), json);
    CloudEventAttributes.of(event).toHeaders().forEach(record.headers()::add);
    return record;
  }
}
