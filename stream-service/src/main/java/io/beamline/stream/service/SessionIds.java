package io.beamline.stream.service;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Viewer session ids that start with the time they were made: new rows land at the right edge of
 * the primary key's index (here and in token-service) instead of at random pages, which PostgreSQL
 * writes measurably cheaper. They name sessions; they grant nothing, so they need not be secret.
 */
public final class SessionIds {

  private SessionIds() {}

  /**
   * {@code prefix}, 12 hex digits of the epoch milliseconds and 20 random hex digits (80 bits:
   * unique across instances in practice).
   */
  public static String next(char prefix) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StringBuilder id = new StringBuilder(33).append(prefix);
    hex(id, System.currentTimeMillis(), 12);
    hex(id, random.nextLong(), 16);
    hex(id, random.nextInt(), 4);
    return id.toString();
  }

  private static void hex(StringBuilder to, long value, int digits) {
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
      to.append(Character.forDigit((int) ((value >>> shift) & 0xF), 16));
    }
  }
}
