package io.beamline.analytics.service;

import io.agroal.api.AgroalDataSource;
import io.beamline.analytics.Bucket;
import io.beamline.analytics.config.AnalyticsConfig;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

/** Deletes aggregates, sessions, feeds and inbox ids older than their configured retention. */
@ApplicationScoped
public class RetentionJob {

  private final AgroalDataSource dataSource;
  private final AnalyticsConfig config;

  public RetentionJob(AgroalDataSource dataSource, AnalyticsConfig config) {
    this.dataSource = dataSource;
    this.config = config;
  }

  @Scheduled(
      every = "${analytics.retention.purge-interval:1h}",
      delayed = "1m",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduled() {
    purge(Instant.now());
  }

  /**
   * Deletes what expired by {@code now}.
   *
   * @return rows deleted
   */
  public long purge(Instant now) {
    AnalyticsConfig.Retention r = config.retention();
    long deleted = 0;
    try (Connection c = dataSource.getConnection()) {
      deleted += traffic(c, Bucket.MINUTE, now.minus(r.minute()));
      deleted += traffic(c, Bucket.HOUR, now.minus(r.hour()));
      deleted += traffic(c, Bucket.DAY, now.minus(r.day()));
      // Concurrency sums only feed peaks of buckets still being written.
      deleted +=
          delete(c, "delete from concurrency where at < ?", now.minus(maxOf(r.hour(), r.minute())));
      deleted +=
          delete(
              c,
              "delete from stream_view where coalesce(ended_at, started_at) < ?",
              now.minus(r.raw()));
      deleted +=
          delete(
              c, "delete from feed where coalesce(ended_at, started_at) < ?", now.minus(r.raw()));
      deleted += delete(c, "delete from ingested_event where ingested_at < ?", now.minus(r.raw()));
    } catch (SQLException e) {
      Log.warnf(e, "analytics retention purge failed: %s", e.getMessage());
      return deleted;
    }
    if (deleted > 0) {
      Log.infof("analytics retention purge deleted %d rows", deleted);
    }
    return deleted;
  }

  private static long traffic(Connection c, Bucket bucket, Instant before) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("delete from traffic where res = ? and bucket < ?")) {
      s.setString(1, bucket.code());
      s.setTimestamp(2, Timestamp.from(before));
      return s.executeUpdate();
    }
  }

  private static long delete(Connection c, String sql, Instant before) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setTimestamp(1, Timestamp.from(before));
      return s.executeUpdate();
    }
  }

  private static Duration maxOf(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
