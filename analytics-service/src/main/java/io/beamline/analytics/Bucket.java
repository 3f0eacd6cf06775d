package io.beamline.analytics;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The stored bucket sizes of traffic aggregates; buckets start on UTC boundaries. */
public enum Bucket {
  MINUTE('m', ChronoUnit.MINUTES),
  HOUR('h', ChronoUnit.HOURS),
  DAY('d', ChronoUnit.DAYS);

  private final String code;
  private final ChronoUnit unit;

  Bucket(char code, ChronoUnit unit) {
    this.code = String.valueOf(code);
    this.unit = unit;
  }

  /** The {@code res} column value. */
  public String code() {
    return code;
  }

  public ChronoUnit unit() {
    return unit;
  }

  /** The start of the bucket holding {@code instant}. */
  public Instant start(Instant instant) {
    return Instant.ofEpochSecond(startSecond(instant.getEpochSecond()));
  }

  /**
   * The start of the bucket holding epoch second {@code second}, as an epoch second: plain
   * arithmetic, because UTC minutes, hours and days are fixed lengths and ingestion calls this for
   * every event (calendar arithmetic through {@code atOffset} showed up in profiles).
   */
  public long startSecond(long second) {
    long length = unit.getDuration().getSeconds();
    return Math.floorDiv(second, length) * length;
  }

  /** Whether {@code instant} is the start of a bucket of this size. */
  public boolean isAligned(Instant instant) {
    return start(instant).equals(instant);
  }
}
