package io.beamline.recording.service;

import io.beamline.recording.config.RecordingConfig;
import io.beamline.recording.media.EgressClient;
import io.beamline.recording.media.Ffprobe;
import io.beamline.recording.storage.ObjectStore;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The recordings this instance is writing: one {@link RecordingSession} thread each, a lease on
 * each renewed in the background, and a periodic takeover of recordings whose owner's lease lapsed
 * (an instance that died mid-recording).
 */
@ApplicationScoped
public class RecordingWorkers {

  private final RecordingService recordings;
  private final ObjectStore store;
  private final EgressClient egress;
  private final Ffprobe ffprobe;
  private final RecordingConfig config;
  private final Map<UUID, RecordingSession> sessions = new ConcurrentHashMap<>();
  private volatile String workerId = newWorkerId();
  private volatile boolean running;
  private ScheduledExecutorService scheduler;

  public RecordingWorkers(
      RecordingService recordings,
      ObjectStore store,
      EgressClient egress,
      Ffprobe ffprobe,
      RecordingConfig config) {
    this.recordings = recordings;
    this.store = store;
    this.egress = egress;
    this.ffprobe = ffprobe;
    this.config = config;
  }

  void start(@Observes StartupEvent ignored) {
    if (!config.worker().enabled()) {
      return;
    }
    running = true;
    egress.warmUp();
    try {
      recordings.warmUp();
    } catch (RuntimeException e) {
      Log.debugf("warm-up: %s", e.getMessage());
    }
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "recording-leases");
              t.setDaemon(true);
              return t;
            });
    long renewMillis = Math.max(200, config.worker().lease().toMillis() / 3);
    scheduler.scheduleWithFixedDelay(this::renew, renewMillis, renewMillis, TimeUnit.MILLISECONDS);
    long takeoverMillis = config.worker().takeoverInterval().toMillis();
    scheduler.scheduleWithFixedDelay(
        this::takeOver, takeoverMillis, takeoverMillis, TimeUnit.MILLISECONDS);
  }

  void stop(@Observes ShutdownEvent ignored) {
    running = false;
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
    // A graceful stop leaves the recordings to another instance: their leases lapse, and the
    // uploaded parts are completed by whoever takes them over. Waiting for the publisher instead
    // could block a shutdown for hours.
    sessions.values().forEach(RecordingSession::halt);
  }

  /** This instance's identity as a recording owner. */
  public String workerId() {
    return workerId;
  }

  /** Starts writing a recording this instance owns, unless it is already doing so. */
  public void run(UUID assetId) {
    run(assetId, null);
  }

  /**
   * Starts writing a recording this instance has just created ({@code fresh} holds its stream and
   * source), asking for the feed before anything else.
   */
  public void run(UUID assetId, io.beamline.recording.MediaAsset fresh) {
    if (!running) {
      return;
    }
    sessions.computeIfAbsent(
        assetId,
        id -> {
          RecordingSession session =
              new RecordingSession(
                  id, workerId, recordings, store, egress, ffprobe, config, this, fresh);
          Thread thread = new Thread(session, "recording-" + id);
          thread.setDaemon(true);
          thread.start();
          return session;
        });
  }

  /** Asks a running recording to finish without waiting for the reconnect window. */
  public void endNow(UUID assetId) {
    RecordingSession session = sessions.get(assetId);
    if (session != null) {
      session.wake();
    }
  }

  /** The recordings running here. */
  public Set<UUID> running() {
    return Set.copyOf(sessions.keySet());
  }

  void finished(UUID assetId, RecordingSession session) {
    sessions.remove(assetId, session);
  }

  /**
   * Stops every recording abruptly, as a killed process would: ffmpeg is killed, nothing is
   * completed, leases are left to lapse; this instance then carries on under a new identity, like a
   * restarted one. For crash tests and the benchmark.
   */
  public void simulateCrash() {
    workerId = newWorkerId();
    sessions.values().forEach(RecordingSession::halt);
    sessions.clear();
  }

  private void renew() {
    try {
      Set<UUID> mine = Set.copyOf(sessions.keySet());
      if (mine.isEmpty()) {
        return;
      }
      Set<UUID> held = recordings.renew(workerId, mine);
      for (UUID id : mine) {
        if (!held.contains(id)) {
          RecordingSession lost = sessions.remove(id);
          if (lost != null && lost.ownerId().equals(workerId)) {
            Log.warnf("recording %s: lease lost to another instance; stopping here", id);
            lost.halt();
          }
        }
      }
    } catch (RuntimeException e) {
      Log.warnf("renewing recording leases failed: %s", e.getMessage());
    }
  }

  private void takeOver() {
    try {
      for (UUID id : recordings.claimLapsed(workerId, 50)) {
        Log.infof("recording %s: taking over after its owner's lease lapsed", id);
        run(id);
      }
    } catch (RuntimeException e) {
      Log.warnf("recording takeover failed: %s", e.getMessage());
    }
  }

  private static String newWorkerId() {
    // pid@host plus a random suffix: readable in logs, unique across restarts.
    return ManagementFactory.getRuntimeMXBean().getName()
        + "/"
        + UUID.randomUUID().toString().substring(0, 8);
  }
}
