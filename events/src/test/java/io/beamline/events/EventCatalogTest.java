package io.beamline.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.events.stream.StreamStartedEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventCatalogTest {

  @Test
  void shouldHaveOneEntryPerTopicInTopicOrder() {
    List<String> topics = EventCatalog.ALL.stream().map(EventCatalog.Entry::topic).toList();
    assertEquals(Topics.ALL, topics);
    Topics.ALL.forEach(t -> assertEquals(t, EventCatalog.forTopic(t).topic()));
  }

  @Test
  void shouldDescribeEachTopicConsistently() {
    for (EventCatalog.Entry e : EventCatalog.ALL) {
      String t = e.topic();
      assertEquals(EventTypes.typeOf(t), e.type(), t);
      assertSame(e, EventCatalog.forType(e.type()), t);
      assertSame(e, EventCatalog.forPayloadType(e.payloadType()), t);
      assertTrue(e.payloadType().isRecord(), t);
      assertTrue(e.payloadType().getSimpleName().endsWith("Event"), t);
      assertEquals(Topics.partitions(t), e.partitions(), t);
      assertEquals("/beamline/" + e.producer(), e.source(), t);
      assertNotNull(getClass().getClassLoader().getResource(e.sample()), t);
      boolean byStream = Topics.STREAM_TOPICS.contains(t);
      assertEquals(byStream, e.keyedByStream(), t);
      assertEquals(byStream ? EventCatalog.STREAM_KEY : EventCatalog.ACCOUNT_KEY, e.key(), t);
      assertEquals(byStream, StreamScoped.class.isAssignableFrom(e.payloadType()), t);
      // Only stream-service can number a stream's events, so only its events carry a sequence.
      assertEquals(
          EventCatalog.STREAM_SERVICE.equals(e.producer()),
          StreamEvent.class.isAssignableFrom(e.payloadType()),
          t);
      String subpackage = e.payloadType().getPackageName();
      assertTrue(subpackage.startsWith("io.beamline.events."), t);
      assertFalse(subpackage.equals("io.beamline.events"), t);
    }
  }

  @Test
  void shouldRejectUnknownLookups() {
    assertThrows(IllegalArgumentException.class, () -> EventCatalog.forTopic("stream-paused"));
    assertThrows(IllegalArgumentException.class, () -> EventCatalog.forType("io.beamline.x"));
    assertThrows(IllegalArgumentException.class, () -> EventCatalog.forPayloadType(String.class));
  }

  @Test
  void shouldKeyEventsByStreamOrAccount() throws Exception {
    var mapper = EventJson.newObjectMapper();
    var started =
        mapper.readValue(EventSamples.load(Topics.STREAM_STARTED), StreamStartedEvent.class);
    assertEquals("ZG6NWV/launch-keynote", EventCatalog.forEvent(started).keyOf(started));
    assertEquals(
        started.streamId(), StreamScoped.streamIdOf(started.accountId(), started.streamName()));
    var revoked =
        mapper.readValue(
            EventSamples.load(Topics.TOKEN_REVOKED),
            EventCatalog.forTopic(Topics.TOKEN_REVOKED).payloadType());
    assertEquals("ZG6NWV", EventCatalog.forEvent(revoked).keyOf(revoked));
    assertThrows(
        IllegalArgumentException.class,
        () -> EventCatalog.forTopic(Topics.STREAM_ENDED).keyOf(started));
  }
}
