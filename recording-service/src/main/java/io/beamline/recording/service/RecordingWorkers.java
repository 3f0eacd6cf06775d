package io.beamline.recording.service;

import io.beamline.recording.MediaAsset;
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
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The recordings this instance is writing: those of the stream partitions Kafka assigned it, one
 * {@link RecordingSession} thread each, each under a lease renewed in the background.
 *
 * <p>Ownership follows the consumer group: when a partition is assigned here (a new instance, or
 * one that died and whose session timed out), this instance claims that partition's unfinished
 * recordings; when a partition moves away, the recording is handed over (ffmpeg stopped, the
 * segment completed, the recording released). The lease is the fence: a recording is claimed only
 * once its previous owner released it or stopped renewing, so two instances never write one
 * recording, even while a rebalance is under way.
 */
@ApplicationScoped
public class RecordingWorkers {

  private final RecordingService recordings;
  private final ObjectStore store;
  private final EgressClient egress;
  private final Ffprobe ffprobe;
  private final RecordingConfig config;
  private final Map<UUID, RecordingSession> sessions = new ConcurrentHashMap<>();
  private final String workerId = newWorkerId();
  private volatile Set<Integer> owned = Set.of();
  private final Set<Integer> pendingRelease = new HashSet<>();
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
    // Hand every recording over rather than wait for its publisher (which could take hours): the
    // segments are completed and the recordings released, so the instances that get the
    // partitions carry on at once. Whatever is not handed over in time is left to the leases.
    List<RecordingSession> mine = List.copyOf(sessions.values());
    mine.forEach(RecordingSession::release);
    long deadline = System.nanoTime() + config.worker().handOverTimeout().toNanos();
    for (RecordingSession session : mine) {
      while (!session.done() && System.nanoTime() < deadline) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      if (!session.done()) {
        session.halt();
      }
    }
  }

  /** This instance's identity as a recording owner. */
  public String workerId() {
    return workerId;
  }

  /** The stream partitions Kafka assigned to this instance now. */
  public Set<Integer> ownedPartitions() {
    return owned;
  }

  /**
   * Starts writing a recording this instance has just created ({@code fresh} holds its stream and
   * source), asking for the feed before anything else.
   */
  public void run(MediaAsset fresh) {
    run(fresh.id, fresh.streamPartition, fresh);
  }

  private void run(UUID assetId, Integer partition, MediaAsset fresh) {
    if (!running) {
      return;
    }
    sessions.computeIfAbsent(
        assetId,
        id -> {
          RecordingSession session =
              new RecordingSession(
                  id, partition, workerId, recordings, store, egress, ffprobe, config, this, fresh);
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

  // ---- partition assignment (called by the consumer's rebalance listener) ---------------------

  /**
   * A rebalance starts: the partitions stop counting as owned (nothing more is claimed in them),
   * but their recordings go on; most partitions come straight back when the rebalance ends.
   */
  public synchronized void revoking(Collection<Integer> partitions) {
    Set<Integer> next = new HashSet<>(owned);
    next.removeAll(partitions);
    owned = Set.copyOf(next);
    pendingRelease.addAll(partitions);
  }

  /**
   * The rebalance ended with {@code partitions} assigned here: their unfinished recordings are
   * claimed now, and those of partitions that moved elsewhere are handed over.
   */
  public synchronized void assigned(Collection<Integer> partitions) {
    Set<Integer> next = new HashSet<>(owned);
    next.addAll(partitions);
    owned = Set.copyOf(next);
    Set<Integer> moved = new HashSet<>(pendingRelease);
    moved.removeAll(partitions);
    pendingRelease.clear();
    handOver(moved);
    Log.infof("%s owns stream partitions %s", workerId, new java.util.TreeSet<>(owned));
    if (scheduler != null && running) {
      scheduler.execute(this::takeOver);
    }
  }

  /**
   * The partitions were lost without a proper revocation (this instance was out of the group for
   * longer than the session timeout): another instance may own them already, so hand over now.
   */
  public synchronized void lost(Collection<Integer> partitions) {
    Set<Integer> next = new HashSet<>(owned);
    next.removeAll(partitions);
    owned = Set.copyOf(next);
    Set<Integer> all = new HashSet<>(partitions);
    all.addAll(pendingRelease);
    pendingRelease.clear();
    handOver(all);
  }

  private void handOver(Set<Integer> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    for (RecordingSession session : sessions.values()) {
      if (session.partition() != null && partitions.contains(session.partition())) {
        Log.infof("partition %d moved away: handing its recordings over", session.partition());
        session.release();
      }
    }
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
          if (lost != null) {
            Log.warnf("recording %s: lease lost to another instance; stopping here", id);
            lost.halt();
          }
        }
      }
    } catch (RuntimeException e) {
      Log.warnf("renewing recording leases failed: %s", e.getMessage());
    }
  }

  /** Claims the unheld recordings of the partitions assigned here and starts writing them. */
  private void takeOver() {
    if (!running) {
      return;
    }
    try {
      for (RecordingService.Claimed claimed : recordings.claim(workerId, owned, 50)) {
        Log.infof(
            "recording %s: taking over (stream partition %s)", claimed.id(), claimed.partition());
        run(claimed.id(), claimed.partition(), null);
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
