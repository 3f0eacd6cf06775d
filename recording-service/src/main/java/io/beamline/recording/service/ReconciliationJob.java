package io.beamline.recording.service;

import io.beamline.recording.AssetStatus;
import io.beamline.recording.MediaAsset;
import io.beamline.recording.MediaSegment;
import io.beamline.recording.SegmentStatus;
import io.beamline.recording.config.RecordingConfig;
import io.beamline.recording.storage.ObjectStore;
import io.beamline.recording.storage.ObjectStore.StoreException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Compares the database's segments with the bucket's objects and repairs or reports every mismatch:
 * a complete segment whose object is gone is marked missing (and its asset failed when nothing of
 * it is left), a wrong size is corrected, an interrupted deletion is finished, and an object no
 * segment owns is reported.
 */
@ApplicationScoped
public class ReconciliationJob {

  private final EntityManager em;
  private final ObjectStore store;
  private final AssetService assets;
  private final AtomicLong lastMismatches = new AtomicLong();
  private final Duration orphanUploadAge;

  public ReconciliationJob(
      EntityManager em,
      ObjectStore store,
      AssetService assets,
      MeterRegistry registry,
      RecordingConfig config) {
    this.orphanUploadAge = config.reconciliation().orphanUploadAge();
    this.em = em;
    this.store = store;
    this.assets = assets;
    registry.gauge("beamline.recording.reconciliation.mismatches", lastMismatches);
  }

  /**
   * What one run found.
   *
   * @param segmentsChecked complete segments compared with the store
   * @param missing keys of complete segments whose object is gone (now marked missing)
   * @param resized keys whose recorded size was corrected
   * @param deletionsFinished assets whose interrupted deletion was finished
   * @param orphans objects in the bucket that no segment owns (reported, kept)
   * @param abortedUploads open multipart uploads no recording owns, older than {@code
   *     beamline.recording.reconciliation.orphan-upload-age}, aborted (they hold storage nobody can
   *     see)
   */
  public record Report(
      int segmentsChecked,
      List<String> missing,
      List<String> resized,
      List<UUID> deletionsFinished,
      List<String> orphans,
      List<String> abortedUploads) {

    public int mismatches() {
      return missing.size()
          + resized.size()
          + deletionsFinished.size()
          + orphans.size()
          + abortedUploads.size();
    }
  }

  @Scheduled(
      every = "${beamline.recording.reconciliation.every}",
      delayed = "1m",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduled() {
    try {
      run();
    } catch (Exception e) {
      Log.warnf(e, "reconciliation failed: %s", e.getMessage());
    }
  }

  /** One full comparison of database and bucket. */
  public Report run() throws StoreException {
    List<UUID> finished = new ArrayList<>();
    for (UUID id : assets.interruptedDeletions()) {
      try {
        assets.removeObjects(id, "deleted");
        finished.add(id);
      } catch (RuntimeException e) {
        Log.warnf("reconciliation: deletion of %s still fails: %s", id, e.getMessage());
      }
    }
    Map<String, Long> objects = store.list("");
    List<MediaSegment> segments =
        QuarkusTransaction.requiringNew()
            .call(() -> em.createQuery("from MediaSegment", MediaSegment.class).getResultList());
    Set<String> owned = new HashSet<>();
    List<String> missing = new ArrayList<>();
    List<String> resized = new ArrayList<>();
    Map<UUID, Long> sizes = new HashMap<>();
    int checked = 0;
    for (MediaSegment segment : segments) {
      owned.add(segment.objectKey);
      if (!SegmentStatus.COMPLETE.wire().equals(segment.status)) {
        continue;
      }
      checked++;
      Long size = objects.get(segment.objectKey);
      if (size == null) {
        // The listing may predate a completion that happened since: ask for this one object.
        if (store.size(segment.objectKey).isPresent()) {
          continue;
        }
        missing.add(segment.objectKey);
        markMissing(segment.id);
      } else if (size != segment.sizeBytes) {
        resized.add(segment.objectKey);
        sizes.put(segment.id, size);
      }
    }
    sizes.forEach(this::resize);
    List<String> orphans = new ArrayList<>();
    for (String key : objects.keySet()) {
      if (!owned.contains(key)) {
        orphans.add(key);
      }
    }
    Set<String> openUploadIds = new HashSet<>();
    for (MediaSegment segment : segments) {
      if (segment.uploadId != null) {
        openUploadIds.add(segment.uploadId);
      }
    }
    List<String> aborted = new ArrayList<>();
    Instant cutoff = Instant.now().minus(orphanUploadAge);
    for (ObjectStore.OpenUpload upload : store.openUploads()) {
      // Young uploads may belong to a segment being opened right now.
      if (!openUploadIds.contains(upload.uploadId())
          && upload.initiated() != null
          && upload.initiated().isBefore(cutoff)) {
        store.abortUpload(upload.key(), upload.uploadId());
        aborted.add(upload.key());
      }
    }
    Report report = new Report(checked, missing, resized, finished, orphans, aborted);
    lastMismatches.set(report.mismatches());
    if (report.mismatches() > 0) {
      Log.warnf(
          "reconciliation: %d segments checked; missing objects %s, sizes corrected %s,"
              + " deletions finished %s, objects without a record %s, orphan uploads aborted %s",
          checked, missing, resized, finished, orphans, aborted);
    } else {
      Log.infof("reconciliation: %d segments checked, all present", checked);
    }
    return report;
  }

  private void markMissing(UUID segmentId) {
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              MediaSegment segment = em.find(MediaSegment.class, segmentId);
              segment.status = SegmentStatus.MISSING.wire();
              MediaAsset asset = em.find(MediaAsset.class, segment.assetId);
              long remaining =
                  em.createQuery(
                          "select count(*) from MediaSegment where assetId = ?1 and status = ?2",
                          Long.class)
                      .setParameter(1, asset.id)
                      .setParameter(2, SegmentStatus.COMPLETE.wire())
                      .getSingleResult();
              asset.sizeBytes = Math.max(0, asset.sizeBytes - segment.sizeBytes);
              String note = "object missing from the store: " + segment.objectKey;
              asset.error = asset.error == null ? note : asset.error + "; " + note;
              if (remaining == 0 && AssetStatus.COMPLETE.wire().equals(asset.status)) {
                asset.status = AssetStatus.ERROR.wire();
              }
            });
  }

  private void resize(UUID segmentId, long size) {
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              MediaSegment segment = em.find(MediaSegment.class, segmentId);
              MediaAsset asset = em.find(MediaAsset.class, segment.assetId);
              asset.sizeBytes += size - segment.sizeBytes;
              segment.sizeBytes = size;
            });
  }
}
