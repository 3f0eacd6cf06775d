package io.beamline.events;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The CloudEvents attributes of one Beamline event and their Kafka binary-mode headers.
 *
 * @param id {@code ce_id}, the payload's {@code eventId}
 * @param type {@code ce_type}, {@code io.beamline.<topic>}
 * @param source {@code ce_source}, {@code /beamline/<producing service>}
 * @param time {@code ce_time}, the payload's {@code occurredAt}
 * @param subject {@code ce_subject}, the Kafka key (stream id or account id); optional when read
 */
public record CloudEventAttributes(
    String id, String type, String source, Instant time, String subject) {

  public CloudEventAttributes {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(time, "time");
  }

  /** The attributes a producer writes for an event of the contract. */
  public static CloudEventAttributes of(BeamlineEvent event) {
    EventCatalog.Entry entry = EventCatalog.forEvent(event);
    return new CloudEventAttributes(
        event.eventId().toString(),
        entry.type(),
        entry.source(),
        event.occurredAt(),
        entry.keyOf(event));
  }

  /** Kafka headers in binary mode, UTF-8 encoded, including spec version and content type. */
  public Map<String, byte[]> toHeaders() {
    Map<String, byte[]> headers = new LinkedHashMap<>();
    headers.put(CloudEventHeaders.SPECVERSION, utf8(CloudEventHeaders.SPEC_VERSION_VALUE));
    headers.put(CloudEventHeaders.ID, utf8(id));
    headers.put(CloudEventHeaders.TYPE, utf8(type));
    headers.put(CloudEventHeaders.SOURCE, utf8(source));
    headers.put(CloudEventHeaders.TIME, utf8(time.toString()));
    if (subject != null) {
      headers.put(CloudEventHeaders.SUBJECT, utf8(subject));
    }
    headers.put(CloudEventHeaders.CONTENT_TYPE, utf8(CloudEventHeaders.JSON_CONTENT_TYPE));
    return headers;
  }

  /**
   * Reads the attributes from Kafka headers.
   *
   * @throws IllegalArgumentException naming the header that is missing or invalid
   */
  public static CloudEventAttributes fromHeaders(Map<String, byte[]> headers) {
    Objects.requireNonNull(headers, "headers");
    String specVersion = required(headers, CloudEventHeaders.SPECVERSION);
    if (!CloudEventHeaders.SPEC_VERSION_VALUE.equals(specVersion)) {
      throw new IllegalArgumentException(
          "Unsupported CloudEvents version in header "
              + CloudEventHeaders.SPECVERSION
              + ": "
              + specVersion);
    }
    String time = required(headers, CloudEventHeaders.TIME);
    Instant parsedTime;
    try {
      parsedTime = Instants.parse(time);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "Header " + CloudEventHeaders.TIME + " is not an RFC 3339 UTC instant: " + time, e);
    }
    return new CloudEventAttributes(
        required(headers, CloudEventHeaders.ID),
        required(headers, CloudEventHeaders.TYPE),
        required(headers, CloudEventHeaders.SOURCE),
        parsedTime,
        optional(headers, CloudEventHeaders.SUBJECT));
  }

  private static String required(Map<String, byte[]> headers, String name) {
    String value = optional(headers, name);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("Missing CloudEvents header " + name);
    }
    return value;
  }

  private static String optional(Map<String, byte[]> headers, String name) {
    byte[] value = headers.get(name);
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
