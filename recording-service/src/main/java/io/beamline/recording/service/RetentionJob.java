package io.beamline.recording.service;

import io.beamline.recording.config.RecordingConfig;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/**
 * Deletes finished assets once their {@code expiration} ({@code beamline.recording.retention.keep}
 * after they stopped) has passed, objects first, and emits {@code recording-deleted} ({@code
 * expired}).
 */
@ApplicationScoped
public class RetentionJob {

  /** Assets deleted per transaction batch; the next run takes the rest. */
  private static final int BATCH = 100;

  private final AssetService assets;
  private final RecordingConfig config;

  public RetentionJob(AssetService assets, RecordingConfig config) {
    this.assets = assets;
    this.config = config;
  }

  @Scheduled(
      every = "${beamline.recording.retention.every}",
      delayed = "30s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduled() {
    if (config.retention().keep().isEmpty()) {
      return;
    }
    try {
      run();
    } catch (RuntimeException e) {
      Log.warnf(e, "retention: %s", e.getMessage());
    }
  }

  /**
   * Deletes every expired asset (several instances may run this at once: each asset is marked
   * {@code deleting} under a row lock by one of them).
   *
   * @return the ids deleted
   */
  public List<UUID> run() {
    List<UUID> all = new java.util.ArrayList<>();
    List<UUID> batch;
    do {
      batch = assets.deleteExpired(BATCH);
      all.addAll(batch);
    } while (batch.size() == BATCH);
    if (!all.isEmpty()) {
      Log.infof("retention: deleted %d expired asset(s)", all.size());
    }
    return all;
  }
}
