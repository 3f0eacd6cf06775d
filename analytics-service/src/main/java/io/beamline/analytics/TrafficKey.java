package io.beamline.analytics;

import java.time.Instant;
import java.util.Comparator;

/**
 * The identity of one traffic aggregate row; dimensions its grouping leaves out are empty strings.
 */
public record TrafficKey(
    String accountId,
    Bucket bucket,
    Grouping grouping,
    Instant start,
    String streamName,
    String trackingId,
    String country,
    String clusterId) {

  /**
   * The primary key order of the table: writers lock rows in this order so that two concurrent
   * batches never deadlock.
   */
  public static final Comparator<TrafficKey> LOCK_ORDER =
      Comparator.comparing(TrafficKey::accountId)
          .thenComparing(k -> k.bucket().code())
          .thenComparing(k -> k.grouping().code())
          .thenComparing(TrafficKey::start)
          .thenComparing(TrafficKey::streamName)
          .thenComparing(TrafficKey::trackingId)
          .thenComparing(TrafficKey::country)
          .thenComparing(TrafficKey::clusterId);
}
