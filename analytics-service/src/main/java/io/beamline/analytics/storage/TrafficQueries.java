package io.beamline.analytics.storage;

import io.agroal.api.AgroalDataSource;
import io.beamline.analytics.Bucket;
import io.beamline.analytics.Grouping;
import io.beamline.analytics.Metric;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The read side of the traffic aggregates and of live state, always within one account. */
@ApplicationScoped
public class TrafficQueries {

  /**
   * One aggregated row.
   *
   * @param bucket start of the bucket (or month); null for a total over the range
   * @param streamName stream, or {@code ""} when the grouping has none
   * @param trackingId tracking id, or {@code ""}
   * @param country country, or {@code ""} (also for an unknown country)
   * @param metrics values in {@link Metric} order
   */
  public record Row(
      Instant bucket, String streamName, String trackingId, String country, long[] metrics) {

    public long get(Metric metric) {
      return metrics[metric.ordinal()];
    }
  }

  /**
   * What to aggregate.
   *
   * @param accountId the caller's account: every query is limited to it
   * @param bucket stored resolution to read
   * @param grouping breakdown to read
   * @param from inclusive start
   * @param to exclusive end
   * @param perBucket one row per bucket (series) instead of one over the range (total)
   * @param byMonth with {@code perBucket}: months instead of the stored buckets
   * @param streamNames only these streams; null = all
   * @param trackingIds only these tracking ids; null = all
   */
  public record Query(
      String accountId,
      Bucket bucket,
      Grouping grouping,
      Instant from,
      Instant to,
      boolean perBucket,
      boolean byMonth,
      List<String> streamNames,
      List<String> trackingIds) {}

  private static final String SELECT_METRICS = selectMetrics();

  private static final String RAW_METRICS =
      Metric.ALL.stream().map(m -> ", " + m.column()).collect(Collectors.joining());

  private final AgroalDataSource dataSource;

  public TrafficQueries(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Aggregated rows, ordered by bucket. */
  public List<Row> query(Query q) {
    String bucketExpr =
        !q.perBucket()
            ? "null::timestamptz"
            : q.byMonth()
                ? "(date_trunc('month', bucket at time zone 'UTC') at time zone 'UTC')"
                : "bucket";
    // A series at a stored resolution of a grouping without clusters reads exactly one row per
    // answer entry (the other dimensions are fixed below): no aggregation, which on a 30-day hourly
    // series of 10 streams costs more than reading the rows.
    boolean oneRowPerEntry = q.perBucket() && !q.byMonth() && !q.grouping().byCluster();
    StringBuilder sql =
        new StringBuilder("select ")
            .append(bucketExpr)
            .append(" as b, stream_name, tracking_id, country")
            .append(oneRowPerEntry ? RAW_METRICS : SELECT_METRICS)
            .append(" from traffic where account_id = ? and res = ? and grp = ?")
            .append(" and bucket >= ? and bucket < ?");
    if (q.streamNames() != null) {
      sql.append(" and stream_name = any(?)");
    }
    // The dimensions a grouping leaves out are always '': saying so lets the primary key's range
    // reach the bucket.
    if (!q.grouping().byStream()) {
      sql.append(" and stream_name = ''");
    }
    if (!q.grouping().byTracking()) {
      sql.append(" and tracking_id = ''");
    }
    if (!q.grouping().byCountry()) {
      sql.append(" and country = ''");
    }
    if (!q.grouping().byCluster()) {
      sql.append(" and cluster_id = ''");
    }
    if (q.trackingIds() != null) {
      sql.append(" and tracking_id = any(?)");
    }
    if (!oneRowPerEntry) {
      sql.append(" group by 1, 2, 3, 4");
    }
    sql.append(" order by 1, 2, 3, 4");
    List<Row> rows = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql.toString())) {
      int p = 1;
      s.setString(p++, q.accountId());
      s.setString(p++, q.bucket().code());
      s.setString(p++, q.grouping().code());
      s.setTimestamp(p++, Timestamp.from(q.from()));
      s.setTimestamp(p++, Timestamp.from(q.to()));
      if (q.streamNames() != null) {
        s.setArray(p++, c.createArrayOf("text", q.streamNames().toArray()));
      }
      if (q.trackingIds() != null) {
        s.setArray(p++, c.createArrayOf("text", q.trackingIds().toArray()));
      }
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          long[] metrics = new long[Metric.ALL.size()];
          for (int m = 0; m < metrics.length; m++) {
            metrics[m] = rs.getLong(5 + m);
          }
          Timestamp b = rs.getTimestamp(1);
          rows.add(
              new Row(
                  b == null ? null : b.toInstant(),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  metrics));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("traffic query failed: " + e.getMessage(), e);
    }
    return rows;
  }

  /** Streams of the account that are live now. */
  public long liveStreams(String accountId) {
    return count("select count(*) from live_stream where account_id = ? and live", accountId);
  }

  /** Whether each named stream is live now. */
  public Map<String, Boolean> live(String accountId, List<String> streamNames) {
    Map<String, Boolean> live = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "select stream_name, live from live_stream where account_id = ?"
                    + " and stream_name = any(?)")) {
      s.setString(1, accountId);
      s.setArray(2, c.createArrayOf("text", streamNames.toArray()));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          live.put(rs.getString(1), rs.getBoolean(2));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("live query failed: " + e.getMessage(), e);
    }
    return live;
  }

  /** Audience sessions of the account that have joined and not left (internal readers apart). */
  public long concurrentViewers(String accountId) {
    return count(
        "select coalesce(sum(viewers), 0) from live_viewers where account_id = ?", accountId);
  }

  /** Concurrent viewers per named stream (streams without viewers are absent). */
  public Map<String, Long> concurrentViewers(String accountId, List<String> streamNames) {
    Map<String, Long> viewers = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "select stream_name, viewers from live_viewers where account_id = ?"
                    + " and stream_name = any(?)")) {
      s.setString(1, accountId);
      s.setArray(2, c.createArrayOf("text", streamNames.toArray()));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          viewers.put(rs.getString(1), rs.getLong(2));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("viewers query failed: " + e.getMessage(), e);
    }
    return viewers;
  }

  private long count(String sql, String accountId) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, accountId);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("count failed: " + e.getMessage(), e);
    }
  }

  private static String selectMetrics() {
    StringBuilder select = new StringBuilder();
    for (Metric metric : Metric.ALL) {
      select
          .append(metric.isMaximum() ? ", max(" : ", sum(")
          .append(metric.column())
          .append(")::bigint");
    }
    return select.toString();
  }
}
