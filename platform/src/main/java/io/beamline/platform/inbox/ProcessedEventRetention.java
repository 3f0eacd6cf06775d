package io.beamline.platform.inbox;

import io.beamline.platform.retention.BatchedDelete;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * Forgets applied event ids older than the inbox retention, so that the inbox ({@code
 * processed_event}, a row per event applied) stays bounded; a redelivery can only come from what a
 * topic still holds.
 */
@ApplicationScoped
public class ProcessedEventRetention {

  /** 5,000 rows a statement, 20 statements a run. */
  private static final BatchedDelete DELETE = new BatchedDelete(5_000, 20);

  private final DataSource dataSource;
  private final InboxConfig config;

  public ProcessedEventRetention(DataSource dataSource, InboxConfig config) {
    this.dataSource = dataSource;
    this.config = config;
  }

  @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void run() {
    try {
      Instant before = Instant.now().minus(config.retention());
      long deleted = purge(before);
      if (deleted > 0) {
        Log.infof("inbox: forgot %d applied events from before %s", deleted, before);
      }
    } catch (RuntimeException e) {
      // The database unreachable, say: the next run tries again.
      Log.warnf("inbox retention failed: %s", e.getMessage());
    }
  }

  /** Forgets events applied before {@code before}; returns how many. */
  public long purge(Instant before) {
    // The primary key is (consumer, event_id): rows are addressed by their physical id instead.
    return DELETE.run(
        dataSource,
        "processed_event",
        "ctid",
        "select ctid from processed_event where processed_at < ?",
        before);
  }
}
