package io.beamline.analytics.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The binary COPY encoding of session rows, byte for byte against PostgreSQL's documented format.
 */
class BinaryCopyTest {

  @Test
  void shouldWriteSignatureFieldsNullsAndTrailer() {
    IngestStore.BinaryCopy copy = new IngestStore.BinaryCopy(0);
    copy.row(5);
    copy.text("ü\t\\");
    copy.text(null);
    copy.bool(true);
    copy.int8(-2);
    copy.uuid(new UUID(1, 2));
    ByteBuffer b = ByteBuffer.wrap(copy.finish());

    byte[] signature = new byte[11];
    b.get(signature);
    assertArrayEquals("PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1), signature);
    assertEquals(0, b.getInt(), "flags");
    assertEquals(0, b.getInt(), "header extension length");
    assertEquals(5, b.getShort(), "field count");
    byte[] utf8 = "ü\t\\".getBytes(StandardCharsets.UTF_8);
    assertEquals(utf8.length, b.getInt());
    byte[] text = new byte[utf8.length];
    b.get(text);
    assertArrayEquals(utf8, text, "text as UTF-8, nothing escaped");
    assertEquals(-1, b.getInt(), "null");
    assertEquals(1, b.getInt());
    assertEquals(1, b.get());
    assertEquals(8, b.getInt());
    assertEquals(-2, b.getLong());
    assertEquals(16, b.getInt());
    assertEquals(1, b.getLong());
    assertEquals(2, b.getLong());
    assertEquals(-1, b.getShort(), "trailer");
    assertEquals(0, b.remaining());
  }

  @Test
  void shouldWriteTimestampsAsMicrosecondsSince2000RoundedToTheNearest() {
    assertEquals(0, micros(Instant.parse("2000-01-01T00:00:00Z")));
    assertEquals(1, micros(Instant.parse("2000-01-01T00:00:00.000001Z")));
    assertEquals(1, micros(Instant.parse("2000-01-01T00:00:00.0000005Z")), "half rounds up");
    assertEquals(0, micros(Instant.parse("2000-01-01T00:00:00.000000499Z")));
    assertEquals(-1_000_000, micros(Instant.parse("1999-12-31T23:59:59Z")));
    assertEquals(
        (1_747_213_200L - 946_684_800L) * 1_000_000 + 123_000,
        micros(Instant.parse("2025-05-14T09:00:00.123Z")));
  }

  private static long micros(Instant at) {
    IngestStore.BinaryCopy copy = new IngestStore.BinaryCopy(0);
    copy.timestamp(at);
    byte[] bytes = copy.finish();
    ByteBuffer b = ByteBuffer.wrap(Arrays.copyOfRange(bytes, 19, bytes.length));
    assertEquals(8, b.getInt());
    return b.getLong();
  }
}
