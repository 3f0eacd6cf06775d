package io.beamline.recording.service;

import io.beamline.recording.AssetStatus;
import io.beamline.recording.MediaAsset;
import io.beamline.recording.MediaSegment;
import io.beamline.recording.SegmentStatus;
import io.beamline.recording.config.RecordingConfig;
import io.beamline.recording.media.EgressClient;
import io.beamline.recording.media.Ffprobe;
import io.beamline.recording.media.Fmp4Parts;
import io.beamline.recording.media.MediaMetadata;
import io.beamline.recording.storage.ObjectStore;
import io.beamline.recording.storage.ObjectStore.StoreException;
import io.beamline.recording.storage.ObjectStore.UploadedPart;
import io.quarkus.logging.Log;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Writes one recording: pulls the source with ffmpeg ({@code -c copy} to fragmented MP4), streams
 * its output into a multipart upload part by part, asks again when the reader is dropped (failover,
 * publisher reconnect), and completes the recording once the source stays gone.
 *
 * <p>Each ffmpeg run becomes one segment object; a run that starts after a takeover or a reconnect
 * starts a new segment of the same asset, because a second fMP4 header in one object would not
 * play. Every uploaded part is recorded before the next one is cut, so a segment left open by a
 * dead instance is completed from those records by the instance that takes it over.
 */
final class RecordingSession implements Runnable {

  private static final int UPLOAD_ATTEMPTS = 3;

  private final UUID assetId;
  private final String owner;
  private final RecordingService recordings;
  private final ObjectStore store;
  private final EgressClient egress;
  private final Ffprobe ffprobe;
  private final RecordingConfig config;
  private final RecordingWorkers workers;
  private final Object signal = new Object();
  private volatile boolean halted;
  private volatile boolean releasing;
  private volatile boolean woken;
  private volatile boolean done;
  private volatile Process ffmpeg;
  private final MediaAsset fresh;
  private final Integer partition;

  RecordingSession(
      UUID assetId,
      Integer partition,
      String owner,
      RecordingService recordings,
      ObjectStore store,
      EgressClient egress,
      Ffprobe ffprobe,
      RecordingConfig config,
      RecordingWorkers workers,
      MediaAsset fresh) {
    this.fresh = fresh;
    this.partition = partition;
    this.assetId = assetId;
    this.owner = owner;
    this.recordings = recordings;
    this.store = store;
    this.egress = egress;
    this.ffprobe = ffprobe;
    this.config = config;
    this.workers = workers;
  }

  String ownerId() {
    return owner;
  }

  /** The Kafka partition of the recording's stream; null for recordings from before partitions. */
  Integer partition() {
    return partition;
  }

  /**
   * Hands the recording over (its partition moved to another instance, or this one shuts down):
   * ffmpeg is asked to stop (SIGTERM, so it writes out what it holds), the rest of the segment is
   * uploaded and completed, and the recording is released for the next owner to claim at once.
   */
  void release() {
    releasing = true;
    Process process = ffmpeg;
    if (process != null) {
      terminate(process);
    }
    wake();
  }

  /**
   * SIGTERM through the process handle: {@link Process#destroy()} would also close ffmpeg's output
   * stream here, losing what it still has to write.
   */
  private static void terminate(Process process) {
    process.toHandle().destroy();
  }

  /** Whether this session's thread has ended. */
  boolean done() {
    return done;
  }

  /** Stops at once without completing anything (crash, lost lease, shutdown). */
  void halt() {
    halted = true;
    Process process = ffmpeg;
    if (process != null) {
      process.destroyForcibly();
    }
    wake();
  }

  /** Re-reads the recording's state now instead of after the retry pause. */
  void wake() {
    synchronized (signal) {
      woken = true;
      signal.notifyAll();
    }
  }

  @Override
  public void run() {
    try {
      if (fresh == null) {
        // Segments left open by a previous owner are completed from their recorded parts first.
        for (MediaSegment segment : recordings.segments(assetId)) {
          if (SegmentStatus.UPLOADING.wire().equals(segment.status)) {
            closeSegment(segment);
          }
        }
      } else {
        // A recording created this instant: nothing to take over, and every moment before
        // ffmpeg connects is media lost, so ask for the feed before anything else.
        Optional<EgressClient.Pull> pull = ask(fresh.streamId, fresh.sourceId);
        if (pull.isPresent()) {
          recordSegment(pull.get());
        }
      }
      record();
      if (releasing && !halted) {
        if (recordings.release(assetId, owner)) {
          Log.infof("recording %s: released to the next owner of its partition", assetId);
        }
      } else if (!halted) {
        finish(null);
      }
    } catch (Exception e) {
      if (releasing && !halted) {
        // Handing over anyway: the next owner completes what is left open.
        Log.warnf("recording %s: handing over after %s", assetId, e.getMessage());
        recordings.release(assetId, owner);
      } else if (!halted) {
        Log.errorf(e, "recording %s failed", assetId);
        // Whatever parts were uploaded still make a playable object: keep them.
        closeOpenSegments();
        finish("upload-failed: " + e.getMessage());
      }
    } finally {
      done = true;
      workers.finished(assetId, this);
    }
  }

  private void record() throws IOException {
    while (!halted && !releasing) {
      Optional<MediaAsset> asset = recordings.asset(assetId);
      if (asset.isEmpty()
          || !AssetStatus.PROCESSING.wire().equals(asset.get().status)
          || !owner.equals(asset.get().owner)) {
        halted = true;
        return;
      }
      MediaAsset current = asset.get();
      Optional<EgressClient.Pull> pull =
          current.endRequested ? Optional.empty() : ask(current.streamId, current.sourceId);
      if (pull.isPresent() && !releasing) {
        recordSegment(pull.get());
        continue;
      }
      Instant deadline =
          (current.lastLiveAt == null ? current.created : current.lastLiveAt)
              .plus(config.worker().reconnectWindow());
      if (current.endRequested || Instant.now().isAfter(deadline)) {
        return;
      }
      pause(config.worker().retryInterval());
    }
  }

  private Optional<EgressClient.Pull> ask(String streamId, String sourceId) {
    try {
      long asked = System.nanoTime();
      Optional<EgressClient.Pull> pull = egress.pull(streamId, sourceId, owner);
      Log.debugf(
          "recording %s: egress answered in %d ms",
          assetId, (System.nanoTime() - asked) / 1_000_000);
      return pull;
    } catch (IOException e) {
      Log.warnf("recording %s: no pull URL: %s", assetId, e.getMessage());
      return Optional.empty();
    }
  }

  /** One ffmpeg run into one segment object. */
  private void recordSegment(EgressClient.Pull pull) throws IOException {
    // ffmpeg first: the media node serves a new reader from the next keyframe, so every moment
    // spent before connecting is media lost. Its output waits in the pipe meanwhile.
    Process process =
        new ProcessBuilder(
                config.egress().ffmpeg(),
                "-nostdin",
                "-loglevel",
                "error",
                "-rw_timeout",
                "5000000",
                "-i",
                pull.url(),
                "-map",
                "0",
                "-c",
                "copy",
                "-f",
                "mp4",
                "-movflags",
                "+frag_keyframe+empty_moov+default_base_moof",
                "pipe:1")
            .start();
    ffmpeg = process;
    if (halted) {
      process.destroyForcibly();
    } else if (releasing) {
      terminate(process);
    }
    MediaSegment segment;
    String key;
    String uploadId;
    try {
      if (!recordings.live(assetId, pull.feedId(), owner)) {
        // Taken over, finished or deleted meanwhile: not ours to write any more.
        process.destroyForcibly();
        ffmpeg = null;
        halted = true;
        return;
      }
      key = recordings.nextObjectKey(assetId);
      uploadId = store.createUpload(key);
      segment = recordings.openSegment(assetId, key, uploadId);
    } catch (IOException | RuntimeException e) {
      process.destroyForcibly();
      ffmpeg = null;
      throw e;
    }
    Log.infof(
        "recording %s: segment %d from feed %s into %s", assetId, segment.seq, pull.feedId(), key);
    logErrors(process.getErrorStream(), segment.seq);
    int[] partNumber = {0};
    try (InputStream out = process.getInputStream()) {
      new Fmp4Parts(
              out,
              config.upload().partSize(),
              (data, length) -> {
                if (halted) {
                  throw new IOException("halted");
                }
                int number = ++partNumber[0];
                String etag = uploadPart(key, uploadId, number, data, length);
                recordings.recordPart(segment.id, number, etag, length);
              })
          .run();
    } catch (IOException e) {
      if (halted) {
        return;
      }
      process.destroyForcibly();
      throw e;
    } finally {
      process.destroy();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ffmpeg = null;
    }
    if (!halted) {
      closeSegment(segment);
    }
  }

  private String uploadPart(String key, String uploadId, int number, byte[] data, int length)
      throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return store.uploadPart(key, uploadId, number, data, length);
      } catch (StoreException e) {
        if (attempt == UPLOAD_ATTEMPTS || halted) {
          throw e;
        }
        Log.warnf(
            "recording %s: part %d upload failed (%s); retrying", assetId, number, e.getMessage());
        pause(Duration.ofMillis(500L * attempt));
      }
    }
  }

  /** Completes a segment's upload from its recorded parts, or discards an empty one. */
  private void closeSegment(MediaSegment segment) throws IOException {
    List<UploadedPart> parts = recordings.parts(segment.id);
    if (parts.isEmpty()) {
      store.abortUpload(segment.objectKey, segment.uploadId);
      recordings.segmentEmpty(segment.id);
      return;
    }
    try {
      store.completeUpload(segment.objectKey, segment.uploadId, parts);
    } catch (StoreException e) {
      // Completed already by an owner that died before recording it?
      if (!e.notFound() || store.size(segment.objectKey).isEmpty()) {
        throw e;
      }
    }
    long size =
        store.size(segment.objectKey).orElse(parts.stream().mapToLong(UploadedPart::size).sum());
    Double duration = null;
    try {
      duration = probe(segment.objectKey).duration();
    } catch (IOException e) {
      Log.warnf("recording %s: cannot probe %s: %s", assetId, segment.objectKey, e.getMessage());
    }
    recordings.segmentComplete(segment.id, size, duration);
  }

  private void closeOpenSegments() {
    try {
      for (MediaSegment segment : recordings.segments(assetId)) {
        if (SegmentStatus.UPLOADING.wire().equals(segment.status)) {
          closeSegment(segment);
        }
      }
    } catch (Exception e) {
      Log.warnf("recording %s: cannot close its open segments: %s", assetId, e.getMessage());
    }
  }

  /** Completes the recording with the metadata of its stored segments, or fails it. */
  private void finish(String error) {
    try {
      List<MediaSegment> stored =
          recordings.segments(assetId).stream()
              .filter(s -> SegmentStatus.COMPLETE.wire().equals(s.status))
              .toList();
      MediaMetadata metadata = null;
      if (!stored.isEmpty()) {
        MediaMetadata first = probe(stored.get(0).objectKey);
        double duration =
            stored.stream()
                .mapToDouble(s -> s.durationSeconds == null ? 0 : s.durationSeconds)
                .sum();
        long size = stored.stream().mapToLong(s -> s.sizeBytes).sum();
        metadata =
            new MediaMetadata(
                first.format(),
                size,
                duration,
                duration > 0 ? Math.round(size * 8 / duration) : first.bitrate(),
                first.tracks());
      }
      if (recordings.finish(assetId, owner, metadata, error)) {
        Log.infof(
            "recording %s: %s",
            assetId, metadata == null ? "failed" : "complete, " + metadata.duration() + " s");
      }
    } catch (Exception e) {
      Log.errorf(e, "recording %s: cannot finish; the next owner will", assetId);
    }
  }

  private MediaMetadata probe(String key) throws IOException {
    return ffprobe.probe(store.presignedGet(key, Duration.ofMinutes(10)));
  }

  private void pause(Duration duration) {
    synchronized (signal) {
      if (!woken) {
        try {
          signal.wait(duration.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          halted = true;
        }
      }
      woken = false;
    }
  }

  private void logErrors(InputStream stderr, int seq) {
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                  // The pull URL's media JWT stays out of the logs.
                  Log.infof(
                      "recording %s segment %d: ffmpeg: %s",
                      assetId, seq, line.replaceAll("jwt=[^\\s:]+", "jwt=***"));
                }
              } catch (IOException e) {
                // The process is gone.
              }
            },
            "ffmpeg-stderr-" + assetId);
    reader.setDaemon(true);
    reader.start();
  }
}
