package io.beamline.analytics.messaging;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import io.beamline.events.BeamlineEvent;
import io.beamline.events.CloudEventHeaders;
import io.beamline.events.EventCatalog;
import io.beamline.events.EventJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Reads a record as its topic's contract payload with the checks of the platform's {@code
 * IncomingEvent.read} (CloudEvents binary-mode headers, JSON matching the payload record), built
 * for the ingestion hot path.
 *
 * <p>Decoding was about 40% of an ingestion thread's time (per-batch timings: 9-15 us an event,
 * warm), most of it in {@code DateTimeFormatter}: every viewer event carries two or three instants
 * ({@code ce_time}, {@code occurredAt}, {@code joinedAt}). Instants here are parsed by hand when
 * they have the shape the contract writes ({@link Instant#toString()}: {@code
 * 2025-05-14T09:00:00Z}, optionally with a fraction), and by the standard parser otherwise, so the
 * result is the same {@link Instant} either way ({@code GoldenSamplesTest} compares with the
 * contract's own mapper). The attributes record itself is not built: analytics keys on the payload,
 * and only checks that the headers are there and valid.
 */
final class EventReader {

  private static final ObjectMapper JSON =
      EventJson.newObjectMapper()
          .registerModule(new SimpleModule().addDeserializer(Instant.class, new FastInstant()));
  private static final Map<String, ObjectReader> READERS = new ConcurrentHashMap<>();

  private EventReader() {}

  /**
   * Reads {@code record} as the payload record of its topic.
   *
   * @throws IllegalArgumentException naming what is missing or invalid
   */
  static BeamlineEvent read(ConsumerRecord<String, String> record) {
    String id = null;
    String specVersion = null;
    boolean type = false;
    boolean source = false;
    String time = null;
    for (Header header : record.headers()) {
      switch (header.key()) {
        case CloudEventHeaders.ID -> id = utf8(header.value());
        case CloudEventHeaders.SPECVERSION -> specVersion = utf8(header.value());
        case CloudEventHeaders.TYPE -> type = present(header.value());
        case CloudEventHeaders.SOURCE -> source = present(header.value());
        case CloudEventHeaders.TIME -> time = utf8(header.value());
        default -> {
          // other headers (content-type, subject, tracing) are not needed here
        }
      }
    }
    require(specVersion, CloudEventHeaders.SPECVERSION);
    if (!CloudEventHeaders.SPEC_VERSION_VALUE.equals(specVersion)) {
      throw new IllegalArgumentException(
          "Unsupported CloudEvents version in header "
              + CloudEventHeaders.SPECVERSION
              + ": "
              + specVersion);
    }
    require(id, CloudEventHeaders.ID);
    require(type ? "x" : null, CloudEventHeaders.TYPE);
    require(source ? "x" : null, CloudEventHeaders.SOURCE);
    require(time, CloudEventHeaders.TIME);
    try {
      parseInstant(time);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "Header " + CloudEventHeaders.TIME + " is not an RFC 3339 UTC instant: " + time, e);
    }
    if (record.value() == null) {
      throw new IllegalArgumentException("event " + id + " has no payload");
    }
    Class<? extends BeamlineEvent> payloadType =
        EventCatalog.forTopic(record.topic()).payloadType();
    try {
      return READERS
          .computeIfAbsent(record.topic(), t -> JSON.readerFor(payloadType))
          .readValue(record.value());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "event " + id + " is not a valid " + payloadType.getSimpleName(), e);
    }
  }

  /**
   * Parses an ISO-8601 UTC instant; the shape {@link Instant#toString()} writes without a
   * formatter, anything else with {@link Instant#parse}.
   *
   * @throws DateTimeException when it is not an instant
   */
  static Instant parseInstant(String text) {
    int n = text.length();
    if (n >= 20
        && text.charAt(n - 1) == 'Z'
        && text.charAt(4) == '-'
        && text.charAt(7) == '-'
        && text.charAt(10) == 'T'
        && text.charAt(13) == ':'
        && text.charAt(16) == ':') {
      int year = digits(text, 0, 4);
      int month = digits(text, 5, 7);
      int day = digits(text, 8, 10);
      int hour = digits(text, 11, 13);
      int minute = digits(text, 14, 16);
      int second = digits(text, 17, 19);
      int nanos = 0;
      boolean shaped = n == 20;
      if (n > 21 && n <= 30 && text.charAt(19) == '.') {
        int f = digits(text, 20, n - 1);
        if (f >= 0) {
          nanos = f;
          for (int i = n - 21; i < 9; i++) {
            nanos *= 10;
          }
          shaped = true;
        }
      }
      if (shaped
          && year >= 0
          && month >= 1
          && day >= 1
          && hour >= 0
          && hour < 24
          && minute >= 0
          && minute < 60
          && second >= 0
          && second < 60) {
        // LocalDate.of checks the day against the month (and throws for 2025-02-30).
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(
            epochDay * 86_400 + hour * 3_600 + minute * 60 + second, nanos);
      }
    }
    return Instant.parse(text);
  }

  /** The decimal number in {@code text[from, to)}, or -1 when a character is not a digit. */
  private static int digits(String text, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static String utf8(byte[] value) {
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  private static boolean present(byte[] value) {
    return value != null && value.length > 0;
  }

  private static void require(String value, String header) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("Missing CloudEvents header " + header);
    }
  }

  /**
   * Instants through {@link #parseInstant}; other JSON shapes as the contract's mapper reads them.
   */
  private static final class FastInstant extends StdScalarDeserializer<Instant> {

    FastInstant() {
      super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() == JsonToken.VALUE_STRING) {
        String text = p.getText().trim();
        try {
          return parseInstant(text);
        } catch (DateTimeException e) {
          // Fall through: the standard deserializer reports it the usual way.
        }
      }
      return InstantDeserializer.INSTANT.deserialize(p, ctxt);
    }
  }
}
