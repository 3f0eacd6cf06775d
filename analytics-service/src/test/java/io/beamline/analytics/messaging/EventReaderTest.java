package io.beamline.analytics.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written instant parser of the hot path gives what {@link Instant#parse} gives. */
class EventReaderTest {

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
      assertEquals(Instant.parse(text), EventReader.parseInstant(text), text);
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
      assertEquals(Instant.parse(text), EventReader.parseInstant(text), text);
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
      assertThrows(DateTimeException.class, () -> EventReader.parseInstant(text), text);
    }
  }
}
