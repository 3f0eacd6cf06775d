package io.beamline.token.authorize;

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
 * Deletes viewer sessions that started longer ago than the viewer-session max age (and an hour
 * more): they no longer count against any cap, and their events are not written again, so the
 * table, a row per viewer, stays bounded. Consumed single-use credentials are kept.
 */
@ApplicationScoped
public class ViewerSessionRetention {

  /** Rows per delete statement. */
  static final int BATCH = 5_000;

  /** Statements per run: a backlog is worked off over several runs. */
  static final int BATCHES_PER_RUN = 20;

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
    long deleted = 0;
    try (Connection c = dataSource.getConnection();
        PreparedStatement delete =
            c.prepareStatement(
                "DELETE FROM viewer_session WHERE viewer_session_id IN (SELECT viewer_session_id"
                    + " FROM viewer_session WHERE started_at < ? LIMIT "
                    + BATCH
                    + ")")) {
      c.setAutoCommit(true);
      delete.setObject(1, OffsetDateTime.ofInstant(startedBefore, ZoneOffset.UTC));
      for (int i = 0; i < BATCHES_PER_RUN; i++) {
        int rows = delete.executeUpdate();
        deleted += rows;
        if (rows < BATCH) {
          break;
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot delete old viewer sessions: " + e.getMessage(), e);
    }
    return deleted;
  }
}
