package io.beamline.stream.service;

import io.beamline.stream.config.StreamConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;

/**
 * Deletes what no longer serves a live stream: viewer sessions that ended longer ago than the
 * history retention, and media grants a day after they expired unless a live HLS session still uses
 * theirs. Both are a row per viewer and would grow without bound; deletes go in bounded batches, so
 * that a backlog never holds long locks.
 */
@ApplicationScoped
public class HistoryRetention {

  /** Rows per delete statement. */
  static final int BATCH = 5_000;

  /** Statements per table and run: a backlog is worked off over several runs. */
  static final int BATCHES_PER_RUN = 20;

  /** How long an expired grant is kept: its JWT is refused from expiry on anyway. */
  static final Duration GRANT_GRACE = Duration.ofDays(1);

  private final DataSource dataSource;
  private final StreamConfig config;
  private final Counter sessionsDeleted;
  private final Counter grantsDeleted;

  public HistoryRetention(DataSource dataSource, StreamConfig config, MeterRegistry metrics) {
    this.dataSource = dataSource;
    this.config = config;
    this.sessionsDeleted =
        Counter.builder("beamline.history.deleted")
            .description("Rows deleted after the history retention")
            .tag("table", "viewer_session")
            .register(metrics);
    this.grantsDeleted =
        Counter.builder("beamline.history.deleted")
            .description("Rows deleted after the history retention")
            .tag("table", "media_grant")
            .register(metrics);
  }

  @Scheduled(every = "1m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void run() {
    try {
      Instant now = Instant.now();
      purge(now.minus(config.historyRetention()), now.minus(GRANT_GRACE));
    } catch (RuntimeException e) {
      // The database unreachable, say: nothing is lost by trying again next minute.
      Log.warnf("history retention failed: %s", e.getMessage());
    }
  }

  /**
   * Deletes sessions that ended before {@code sessionsEndedBefore} and grants that expired before
   * {@code grantsExpiredBefore}; returns how many rows went.
   */
  long purge(Instant sessionsEndedBefore, Instant grantsExpiredBefore) {
    long sessions =
        deleteInBatches(
            "delete from viewer_session where id in (select id from viewer_session"
                + " where state = 'ended' and left_at < ? limit "
                + BATCH
                + ")",
            sessionsEndedBefore);
    // A grant stays while a session started with it is live: every HLS request reads it.
    long grants =
        deleteInBatches(
            "delete from media_grant where id in (select g.id from media_grant g"
                + " where g.expires_at < ? and not exists (select 1 from viewer_session s"
                + " where s.grant_id = g.id and s.state = 'live') limit "
                + BATCH
                + ")",
            grantsExpiredBefore);
    sessionsDeleted.increment(sessions);
    grantsDeleted.increment(grants);
    if (sessions + grants > 0) {
      Log.infof(
          "history retention: deleted %d viewer sessions ended before %s and %d media grants"
              + " expired before %s",
          sessions, sessionsEndedBefore, grants, grantsExpiredBefore);
    }
    return sessions + grants;
  }

  private long deleteInBatches(String sql, Instant cutoff) {
    long deleted = 0;
    try (Connection c = dataSource.getConnection();
        PreparedStatement delete = c.prepareStatement(sql)) {
      c.setAutoCommit(true);
      delete.setObject(1, OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC));
      for (int i = 0; i < BATCHES_PER_RUN; i++) {
        int rows = delete.executeUpdate();
        deleted += rows;
        if (rows < BATCH) {
          break;
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot delete old history: " + e.getMessage(), e);
    }
    return deleted;
  }
}
