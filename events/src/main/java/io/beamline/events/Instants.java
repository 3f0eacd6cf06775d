package io.beamline.events;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Parses the contract's instants ({@code ce_time}, {@code occurredAt}, ...) without a {@code
 * DateTimeFormatter} when they have the shape {@link Instant#toString()} writes, which every
 * producer here does: consumers read two or three per event, and the formatter was a fifth of a
 * consumer thread's time (JFR of analytics-service and token-service).
 */
public final class Instants {

  private Instants() {}

  /**
   * Parses an ISO-8601 UTC instant: the shape {@link Instant#toString()} writes ({@code
   * 2025-05-14T09:00:00Z}, optionally with a fraction) by hand, anything else with {@link
   * Instant#parse}; the result is the same either way.
   *
   * @throws DateTimeException when it is not an instant
   */
  public static Instant parse(String text) {
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
}
