package io.beamline.stream.service;

import io.beamline.platform.retention.BatchedDelete;
import io.beamline.stream.config.StreamConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * Deletes what no longer serves a live stream: viewer sessions that ended longer ago than the
 * history retention, and media grants a day after they expired unless a live HLS session still uses
 * theirs. Both are a row per viewer and would grow without bound; deletes go in bounded batches, so
 * that a backlog never holds long locks.
 */
@ApplicationScoped
public class HistoryRetention {

  /** 5,000 rows a statement, 20 statements per table and run. */
  private static final BatchedDelete DELETE = new BatchedDelete(5_000, 20);

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
        DELETE.run(
            dataSource,
            "viewer_session",
            "id",
            "select id from viewer_session where state = 'ended' and left_at < ?",
            sessionsEndedBefore);
    // A grant stays while a session started with it is live: every HLS request reads it.
    long grants =
        DELETE.run(
            dataSource,
            "media_grant",
            "id",
            "select g.id from media_grant g where g.expires_at < ? and not exists (select 1"
                + " from viewer_session s where s.grant_id = g.id and s.state = 'live')",
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
}
