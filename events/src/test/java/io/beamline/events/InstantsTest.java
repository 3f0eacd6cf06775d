package io.beamline.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written instant parser of the consumers gives what {@link Instant#parse} gives. */
class InstantsTest {

  @Test
  void shouldParseInstantsAsInstantParseDoes() {
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      // 1950 to 2150, every precision Instant.toString() writes (none, millis, micros, nanos).
      Instant instant =
          Instant.ofEpochSecond(
              -631_152_000L + (long) (random.nextDouble() * 6_311_520_000L),
              switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
              });
      String text = instant.toString();
      assertEquals(Instant.parse(text), Instants.parse(text), text);
    }
    for (String text :
        List.of(
            "2024-02-29T23:59:59Z",
            "2025-05-14T09:00:00.5Z",
            "2025-05-14T09:00:00.12Z",
            "2025-05-14T09:00:00.000000001Z",
            "2025-05-14T24:00:00Z",
            "2025-05-14T09:00:00.Z",
            "2025-05-14T09:00:00+02:00")) {
      assertEquals(Instant.parse(text), Instants.parse(text), text);
    }
  }

  @Test
  void shouldRejectWhatInstantParseRejects() {
    for (String text :
        List.of(
            "2025-02-29T00:00:00Z",
            "2025-13-01T00:00:00Z",
            "2025-05-14T09:60:00Z",
            "2025-05-14 09:00:00Z",
            "2025-05-14T09:00:00",
            "yesterday")) {
      assertThrows(DateTimeException.class, () -> Instants.parse(text), text);
    }
  }

  @Test
  void shouldReadPayloadInstantsAsTheTimeModuleDoes() throws Exception {
    ObjectMapper fast = EventJson.newObjectMapper();
    ObjectMapper standard = EventJson.configure(JsonMapper.builder().build());
    for (String json :
        List.of(
            "\"2025-05-14T09:00:00Z\"",
            "\"2025-05-14T09:00:00.123456789Z\"",
            "\"2025-05-14T09:00:00+02:00\"",
            "1747213200",
            "1747213200.5")) {
      assertEquals(
          standard.readValue(json, Instant.class), fast.readValue(json, Instant.class), json);
    }
    assertThrows(
        InvalidFormatException.class,
        () -> fast.readValue("\"2025-02-30T00:00:00Z\"", Instant.class));
  }
}
