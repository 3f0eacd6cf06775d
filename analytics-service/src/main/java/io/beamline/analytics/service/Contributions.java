package io.beamline.analytics.service;

import io.beamline.analytics.Bucket;
import io.beamline.analytics.Grouping;
import io.beamline.analytics.Metric;
import io.beamline.analytics.TrafficKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one batch of events adds to the traffic aggregates, summed in memory first so that each
 * aggregate row is written once per batch however many events touch it.
 */
public final class Contributions {

  /** Groupings every stream-level fact feeds. */
  public static final Set<Grouping> STREAM_LEVEL =
      EnumSet.of(Grouping.ACCOUNT, Grouping.STREAM, Grouping.CLUSTER);

  /** Groupings that also break down by country. */
  public static final Set<Grouping> WITH_COUNTRY =
      EnumSet.of(
          Grouping.ACCOUNT,
          Grouping.STREAM,
          Grouping.CLUSTER,
          Grouping.COUNTRY,
          Grouping.STREAM_COUNTRY);

  /** Groupings a viewer fact feeds: every one. */
  public static final Set<Grouping> ALL = EnumSet.allOf(Grouping.class);

  /**
   * Facts summed per exact dimensions and minute first: a batch of tens of thousands of viewer
   * events collapses to a few thousand of these, and only they are expanded into the 16 rows
   * (groupings x bucket sizes) each one feeds.
   */
  private final Map<Fine, long[]> fine = new HashMap<>();

  /** Exact rows recorded directly (account and cluster peaks). */
  private final Map<TrafficKey, long[]> exact = new HashMap<>();

  private Map<TrafficKey, long[]> rows;

  /**
   * The dimensions of one fact.
   *
   * @param accountId account
   * @param streamName stream name
   * @param trackingId tracking id, null when untracked
   * @param country ISO country, null when unknown
   * @param clusterId cluster, null when not known to the event
   */
  public record Dimensions(
      String accountId, String streamName, String trackingId, String country, String clusterId) {}

  /** A fact's dimensions, the groupings it feeds, and its minute (epoch second). */
  private record Fine(Dimensions dimensions, Set<Grouping> groupings, long minute) {}

  /** Adds {@code value} to {@code metric} at {@code at} for every grouping in {@code groupings}. */
  public void add(Dimensions d, Instant at, Set<Grouping> groupings, Metric metric, long value) {
    if (value == 0 && !metric.isMaximum()) {
      return;
    }
    rows = null;
    long minute = Bucket.MINUTE.startSecond(at.getEpochSecond());
    long[] values =
        fine.computeIfAbsent(new Fine(d, groupings, minute), k -> new long[Metric.ALL.size()]);
    combine(values, metric, value);
  }

  /** Records a maximum for one exact row (peak viewers of an account or cluster). */
  public void max(TrafficKey key, Metric metric, long value) {
    rows = null;
    combine(exact.computeIfAbsent(key, k -> new long[Metric.ALL.size()]), metric, value);
  }

  public boolean isEmpty() {
    return fine.isEmpty() && exact.isEmpty();
  }

  /** How many aggregate rows this batch writes. */
  public int size() {
    return rows().size();
  }

  /** The rows in lock order, each with its metric values in {@link Metric} order. */
  public List<Map.Entry<TrafficKey, long[]>> sortedRows() {
    List<Map.Entry<TrafficKey, long[]>> sorted = new ArrayList<>(rows().entrySet());
    sorted.sort(Map.Entry.comparingByKey(TrafficKey.LOCK_ORDER));
    return sorted;
  }

  private Map<TrafficKey, long[]> rows() {
    if (rows != null) {
      return rows;
    }
    Map<TrafficKey, long[]> expanded = new HashMap<>();
    exact.forEach((k, v) -> merge(expanded, k, v));
    Map<Long, Instant> starts = new HashMap<>();
    fine.forEach(
        (f, values) -> {
          Dimensions d = f.dimensions();
          for (Bucket bucket : Bucket.values()) {
            Instant start =
                starts.computeIfAbsent(
                    bucket.startSecond(f.minute()), s -> Instant.ofEpochSecond(s));
            for (Grouping grouping : f.groupings()) {
              if (bucket == Bucket.MINUTE && (grouping.byCountry() || grouping.byTracking())) {
                // Country and tracking breakdowns start at the hour: per minute they would write
                // about one row per viewer event, and no answer reads them below the hour.
                continue;
              }
              merge(
                  expanded,
                  new TrafficKey(
                      d.accountId(),
                      bucket,
                      grouping,
                      start,
                      grouping.byStream() ? d.streamName() : "",
                      grouping.byTracking() ? nonNull(d.trackingId()) : "",
                      grouping.byCountry() ? nonNull(d.country()) : "",
                      grouping.byCluster() ? nonNull(d.clusterId()) : ""),
                  values);
            }
          }
        });
    rows = expanded;
    return rows;
  }

  private static void merge(Map<TrafficKey, long[]> into, TrafficKey key, long[] values) {
    long[] row = into.get(key);
    if (row == null) {
      into.put(key, values.clone());
      return;
    }
    for (Metric metric : Metric.ALL) {
      combine(row, metric, values[metric.ordinal()]);
    }
  }

  private static void combine(long[] values, Metric metric, long value) {
    int i = metric.ordinal();
    values[i] = metric.isMaximum() ? Math.max(values[i], value) : values[i] + value;
  }

  private static String nonNull(String value) {
    return value == null ? "" : value;
  }
}
