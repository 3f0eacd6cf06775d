package io.beamline.token.authorize;

import io.beamline.platform.retention.BatchedDelete;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * Deletes viewer sessions that started longer ago than the viewer-session max age (and an hour
 * more): they no longer count against any cap, and their events are not written again, so the
 * table, a row per viewer, stays bounded. Consumed single-use credentials are kept.
 */
@ApplicationScoped
public class ViewerSessionRetention {

  /** 5,000 rows a statement, 20 statements a run. */
  private static final BatchedDelete DELETE = new BatchedDelete(5_000, 20);

  /** Beyond the max age, so that no instance still counts or writes what is deleted. */
  static final Duration MARGIN = Duration.ofHours(1);

  private final DataSource dataSource;
  private final AuthorizeConfig config;

  public ViewerSessionRetention(DataSource dataSource, AuthorizeConfig config) {
    this.dataSource = dataSource;
    this.config = config;
  }

  @Scheduled(
      identity = "viewer-session-retention",
      every = "10m",
      delayed = "1m",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void run() {
    try {
      long deleted = purge(Instant.now().minus(config.viewerSessionMaxAge()).minus(MARGIN));
      if (deleted > 0) {
        Log.infof("deleted %d viewer sessions past the viewer-session max age", deleted);
      }
    } catch (RuntimeException e) {
      // The database unreachable, say: the next run tries again.
      Log.warnf("viewer session retention failed: %s", e.getMessage());
    }
  }

  /** Deletes sessions that started before {@code startedBefore}; returns how many. */
  long purge(Instant startedBefore) {
    return DELETE.run(
        dataSource,
        "viewer_session",
        "viewer_session_id",
        "SELECT viewer_session_id FROM viewer_session WHERE started_at < ?",
        startedBefore);
  }
}
