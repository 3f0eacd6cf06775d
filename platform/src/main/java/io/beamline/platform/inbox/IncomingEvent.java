package io.beamline.platform.inbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.beamline.events.CloudEventAttributes;
import io.beamline.events.EventJson;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A Kafka record read as a Beamline event: its CloudEvents attributes and its typed payload.
 *
 * @param attributes the binary-mode CloudEvents headers
 * @param payload the JSON payload read as the event record
 * @param <T> the payload record type
 */
public record IncomingEvent<T>(CloudEventAttributes attributes, T payload) {

  private static final ObjectMapper JSON = EventJson.newObjectMapper();

  /** One reader per payload type: consumers on hot paths read thousands of events a second. */
  private static final Map<Class<?>, ObjectReader> READERS = new ConcurrentHashMap<>();

  /** The event id that drives de-duplication (the {@code ce_id} header). */
  public UUID eventId() {
    return UUID.fromString(attributes.id());
  }

  /**
   * Reads {@code record}; a record without CloudEvents headers or with a payload that does not
   * match {@code type} is rejected with {@link IllegalArgumentException}, which sends it to the
   * channel's dead-letter topic.
   */
  public static <T> IncomingEvent<T> read(ConsumerRecord<String, String> record, Class<T> type) {
    Map<String, byte[]> headers = new HashMap<>();
    for (Header header : record.headers()) {
      headers.put(header.key(), header.value());
    }
    CloudEventAttributes attributes = CloudEventAttributes.fromHeaders(headers);
    if (record.value() == null) {
      throw new IllegalArgumentException("event " + attributes.id() + " has no payload");
    }
    try {
      T payload = READERS.computeIfAbsent(type, JSON::readerFor).readValue(record.value());
      return new IncomingEvent<>(attributes, payload);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "event " + attributes.id() + " is not a valid " + type.getSimpleName(), e);
    }
  }
}
