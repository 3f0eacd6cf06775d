package io.beamline.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.events.stream.FeedStartedEvent;
import io.beamline.events.stream.Protocol;
import io.beamline.events.stream.TrackKind;
import io.beamline.events.stream.ViewerJoinedEvent;
import io.beamline.events.token.TokenCreatedEvent;
import io.beamline.events.token.TokenKind;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class EventSamplesTest {

  static final List<String> TOPICS = Topics.ALL;

  private final ObjectMapper mapper = EventJson.newObjectMapper();

  @ParameterizedTest
  @FieldSource("TOPICS")
  void shouldRoundTripSampleWithoutLosingAField(String topic) throws Exception {
    String json = EventSamples.load(topic);
    Class<? extends BeamlineEvent> type = EventCatalog.forTopic(topic).payloadType();

    BeamlineEvent event = mapper.readValue(json, type);
    JsonNode written = mapper.readTree(mapper.writeValueAsString(event));

    assertEquals(mapper.readTree(json), written, topic);
    assertNotNull(event.eventId(), topic);
    assertNotNull(event.accountId(), topic);
    assertNotNull(event.occurredAt(), topic);
    if (event instanceof StreamScoped scoped) {
      assertEquals(
          StreamScoped.streamIdOf(scoped.accountId(), scoped.streamName()), scoped.streamId());
    }
    if (event instanceof StreamEvent streamEvent) {
      assertTrue(streamEvent.sequence() > 0, topic);
    }
  }

  @ParameterizedTest
  @FieldSource("TOPICS")
  void shouldTolerateUnknownFieldsInSample(String topic) throws Exception {
    ObjectNode tree = (ObjectNode) mapper.readTree(EventSamples.load(topic));
    tree.put("addedInALaterVersion", "x");
    tree.putObject("nestedAddition").put("a", 1);
    Class<? extends BeamlineEvent> type = EventCatalog.forTopic(topic).payloadType();

    BeamlineEvent event = mapper.treeToValue(tree, type);

    assertEquals(mapper.readValue(EventSamples.load(topic), type), event, topic);
  }

  @Test
  void shouldMapUnknownEnumValuesToUnknown() throws Exception {
    ObjectNode viewer = (ObjectNode) mapper.readTree(EventSamples.load(Topics.VIEWER_JOINED));
    viewer.put("protocol", "moq");
    assertEquals(Protocol.UNKNOWN, mapper.treeToValue(viewer, ViewerJoinedEvent.class).protocol());

    ObjectNode feed = (ObjectNode) mapper.readTree(EventSamples.load(Topics.FEED_STARTED));
    ((ObjectNode) feed.withArray("tracks").get(0)).put("kind", "data");
    assertEquals(
        TrackKind.UNKNOWN, mapper.treeToValue(feed, FeedStartedEvent.class).tracks().get(0).kind());

    ObjectNode token = (ObjectNode) mapper.readTree(EventSamples.load(Topics.TOKEN_CREATED));
    token.put("tokenKind", "SERVICE_ACCOUNT");
    assertEquals(TokenKind.UNKNOWN, mapper.treeToValue(token, TokenCreatedEvent.class).tokenKind());
  }

  @Test
  void shouldWriteInstantsAsIsoStringsAndLeaveOutNulls() throws Exception {
    var event =
        new TokenCreatedEvent(
            UUID.fromString("0b7f3c1e-5d2a-4c8e-9f41-2a6d8e7b1c01"),
            "ZG6NWV",
            Instant.parse("2025-05-14T08:55:12.5Z"),
            7,
            1,
            TokenKind.PUBLISH_TOKEN,
            "encoder",
            true,
            null,
            null,
            null);

    JsonNode tree = mapper.readTree(mapper.writeValueAsString(event));

    assertEquals("2025-05-14T08:55:12.500Z", tree.get("occurredAt").asText());
    assertEquals("PUBLISH_TOKEN", tree.get("tokenKind").asText());
    assertFalse(tree.has("expiresAt"));
    assertFalse(tree.has("scopes"));
    assertFalse(tree.has("@class"));
  }

  @Test
  void shouldWriteProtocolsAndTrackKindsInLowerCase() throws Exception {
    var event = mapper.readValue(EventSamples.load(Topics.FEED_STARTED), FeedStartedEvent.class);
    assertEquals(Protocol.RTMP, event.protocol());

    JsonNode tree = mapper.valueToTree(event);

    assertEquals("rtmp", tree.get("protocol").asText());
    assertEquals("video", tree.get("tracks").get(0).get("kind").asText());
  }

  @Test
  void shouldRejectUnknownTopicSample() {
    assertThrows(IllegalArgumentException.class, () -> EventSamples.load("stream-paused"));
    assertInstanceOf(String.class, EventSamples.load(Topics.STREAM_STATS));
  }
}
