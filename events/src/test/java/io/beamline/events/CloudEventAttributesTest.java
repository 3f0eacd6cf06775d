package io.beamline.events;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.events.stream.ViewerLeftEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CloudEventAttributesTest {

  private final CloudEventAttributes attributes =
      new CloudEventAttributes(
          "5e6f7a8b-9c0d-4e5f-8a6b-7c8d9e0f1a08",
          "io.beamline.viewer-joined",
          "/beamline/stream-service",
          Instant.parse("2025-05-14T09:02:11.730Z"),
          "ZG6NWV/launch-keynote");

  @Test
  void shouldRoundTripThroughKafkaHeaders() {
    Map<String, byte[]> headers = attributes.toHeaders();

    assertEquals(
        List.of(
            "ce_specversion",
            "ce_id",
            "ce_type",
            "ce_source",
            "ce_time",
            "ce_subject",
            "content-type"),
        List.copyOf(headers.keySet()));
    assertArrayEquals("1.0".getBytes(StandardCharsets.UTF_8), headers.get("ce_specversion"));
    assertArrayEquals(
        "2025-05-14T09:02:11.730Z".getBytes(StandardCharsets.UTF_8), headers.get("ce_time"));
    assertArrayEquals(
        "application/json".getBytes(StandardCharsets.UTF_8), headers.get("content-type"));
    assertEquals(attributes, CloudEventAttributes.fromHeaders(headers));
  }

  @Test
  void shouldTreatSubjectAsOptional() {
    var noSubject =
        new CloudEventAttributes(
            attributes.id(), attributes.type(), attributes.source(), attributes.time(), null);

    Map<String, byte[]> headers = noSubject.toHeaders();

    assertTrue(!headers.containsKey(CloudEventHeaders.SUBJECT));
    assertNull(CloudEventAttributes.fromHeaders(headers).subject());
  }

  @Test
  void shouldNameTheMissingHeader() {
    for (String name : CloudEventHeaders.REQUIRED) {
      Map<String, byte[]> headers = new LinkedHashMap<>(attributes.toHeaders());
      headers.remove(name);

      var e =
          assertThrows(
              IllegalArgumentException.class, () -> CloudEventAttributes.fromHeaders(headers));

      assertTrue(e.getMessage().contains(name), e.getMessage());
    }
  }

  @Test
  void shouldRejectOtherSpecVersionAndBadTime() {
    Map<String, byte[]> headers = new LinkedHashMap<>(attributes.toHeaders());
    headers.put(CloudEventHeaders.SPECVERSION, "0.3".getBytes(StandardCharsets.UTF_8));
    var version =
        assertThrows(
            IllegalArgumentException.class, () -> CloudEventAttributes.fromHeaders(headers));
    assertTrue(version.getMessage().contains("ce_specversion"), version.getMessage());

    headers.put(CloudEventHeaders.SPECVERSION, "1.0".getBytes(StandardCharsets.UTF_8));
    headers.put(CloudEventHeaders.TIME, "yesterday".getBytes(StandardCharsets.UTF_8));
    var time =
        assertThrows(
            IllegalArgumentException.class, () -> CloudEventAttributes.fromHeaders(headers));
    assertTrue(time.getMessage().contains("ce_time"), time.getMessage());
  }

  @Test
  void shouldDeriveAttributesFromEvent() throws Exception {
    var event =
        EventJson.newObjectMapper()
            .readValue(EventSamples.load(Topics.VIEWER_LEFT), ViewerLeftEvent.class);

    var derived = CloudEventAttributes.of(event);

    assertEquals(event.eventId().toString(), derived.id());
    assertEquals("io.beamline.viewer-left", derived.type());
    assertEquals("/beamline/stream-service", derived.source());
    assertEquals(event.occurredAt(), derived.time());
    assertEquals(event.streamId(), derived.subject());
  }
}
