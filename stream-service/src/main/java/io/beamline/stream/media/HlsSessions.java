package io.beamline.stream.media;

import io.beamline.stream.config.StreamConfig;
import io.beamline.stream.service.HlsViewerBytes;
import io.beamline.stream.service.StreamLifecycle;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HLS viewers of this instance, by grant id: HLS has no connection to watch, so a session lives
 * while its playlist and segments keep being asked for, and ends after the idle timeout.
 *
 * <p>Several instances can serve one session's requests (behind one Service, a player's requests
 * reach any of them). Each records what it saw every few seconds ({@link HlsActivityStore}), and
 * ends a session for idleness only when no instance saw it for the idle timeout; sessions that an
 * instance stopped with are ended by whichever instance finds them unseen for longer.
 */
@ApplicationScoped
public class HlsSessions {

  /** How often sessions nobody holds any more (their instance stopped) are looked for. */
  static final Duration SWEEP_INTERVAL = Duration.ofSeconds(30);

  /** At most this many such sessions are ended per sweep. */
  static final int SWEEP_LIMIT = 500;

  /** A live HLS session and when it last asked for something here. */
  static final class Entry {
    final String sessionId;
    volatile Instant lastSeen;

    /** Seen since this instance last recorded its activity. */
    volatile boolean unrecorded = true;

    /** Seen since this instance last checked that it is still live. */
    volatile boolean unconfirmed = true;

    Entry(String sessionId, Instant seen) {
      this.sessionId = sessionId;
      this.lastSeen = seen;
    }
  }

  private final Map<String, Entry> byGrant = new ConcurrentHashMap<>();
  private final StreamLifecycle lifecycle;
  private final HlsActivityStore store;
  private final HlsViewerBytes viewerBytes;
  private final Duration idleTimeout;
  private final Duration recordInterval;
  private Instant nextRecord = Instant.MIN;
  private Instant nextSweep;

  @Inject
  public HlsSessions(
      StreamLifecycle lifecycle,
      StreamConfig config,
      HlsActivityStore store,
      HlsViewerBytes viewerBytes) {
    this(lifecycle, config.hlsIdleTimeout(), store, viewerBytes);
  }

  HlsSessions(
      StreamLifecycle lifecycle,
      Duration idleTimeout,
      HlsActivityStore store,
      HlsViewerBytes viewerBytes) {
    this.lifecycle = lifecycle;
    this.store = store;
    this.viewerBytes = viewerBytes;
    this.idleTimeout = idleTimeout;
    // Often enough that what another instance saw is at most a fraction of the timeout old.
    Duration quarter = idleTimeout.dividedBy(4);
    this.recordInterval =
        quarter.compareTo(Duration.ofSeconds(5)) < 0 ? quarter : Duration.ofSeconds(5);
  }

  /** Marks the grant's session active now; false when this instance holds no live session. */
  boolean touch(String grantId) {
    return touch(grantId, Instant.now());
  }

  boolean touch(String grantId, Instant now) {
    Entry entry = byGrant.get(grantId);
    if (entry == null) {
      return false;
    }
    entry.lastSeen = now;
    entry.unrecorded = true;
    entry.unconfirmed = true;
    return true;
  }

  void remember(String grantId, String sessionId) {
    remember(grantId, sessionId, Instant.now());
  }

  void remember(String grantId, String sessionId, Instant now) {
    byGrant.put(grantId, new Entry(sessionId, now));
  }

  /** Forgets a session ended elsewhere (revoked, stopped): its next request is refused. */
  public void forget(String grantId) {
    if (grantId != null) {
      byGrant.remove(grantId);
    }
  }

  /** How many HLS sessions this instance holds. */
  public int size() {
    return byGrant.size();
  }

  /** Whether this instance holds the grant's session. */
  boolean holds(String grantId) {
    return byGrant.containsKey(grantId);
  }

  @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void tick() {
    tick(Instant.now());
  }

  /**
   * Forgets sessions ended elsewhere, records activity when due, ends idle sessions, and looks for
   * unheld ones when due.
   */
  synchronized void tick(Instant now) {
    try {
      forgetEnded();
      if (!now.isBefore(nextRecord)) {
        record();
        nextRecord = now.plus(recordInterval);
      }
      endIdle(now);
      if (nextSweep == null) {
        // Not at once: instances started together would all sweep together.
        nextSweep = now.plus(SWEEP_INTERVAL);
      } else if (!now.isBefore(nextSweep)) {
        nextSweep = now.plus(SWEEP_INTERVAL);
        endUnheld(now);
      }
    } catch (RuntimeException e) {
      // The database unreachable, say: sessions stay as they are and the next tick tries again.
      Log.warnf("HLS session upkeep failed: %s", e.getMessage());
    }
  }

  /**
   * Forgets the sessions asked for since the last check that are no longer live: ended by another
   * instance (a revoked token, a stopped stream, a consumer there), so that their next request here
   * is refused within about a second.
   */
  private void forgetEnded() {
    Map<String, Entry> asked = new HashMap<>();
    byGrant.forEach(
        (grantId, entry) -> {
          if (entry.unconfirmed) {
            entry.unconfirmed = false;
            asked.put(grantId, entry);
          }
        });
    if (asked.isEmpty()) {
      return;
    }
    Set<String> live = store.lastSeen(asked.keySet()).keySet();
    asked.forEach(
        (grantId, entry) -> {
          if (!live.contains(grantId)) {
            byGrant.remove(grantId, entry);
          }
        });
  }

  /** Writes what this instance saw since the last time: each session's last request and bytes. */
  void record() {
    Map<String, Long> bytes = viewerBytes.drain();
    Map<String, HlsActivityStore.Activity> activity = new HashMap<>();
    List<Entry> recorded = new ArrayList<>();
    for (Map.Entry<String, Entry> e : byGrant.entrySet()) {
      Entry entry = e.getValue();
      if (entry.unrecorded) {
        entry.unrecorded = false; // before reading lastSeen: a touch meanwhile is recorded next
        recorded.add(entry);
        Long sent = bytes.remove(e.getKey());
        activity.put(
            e.getKey(),
            new HlsActivityStore.Activity(e.getKey(), entry.lastSeen, sent == null ? 0 : sent));
      }
    }
    // Bytes of sessions whose requests another instance answers: the traffic log reached us.
    bytes.forEach(
        (grantId, sent) ->
            activity.put(grantId, new HlsActivityStore.Activity(grantId, null, sent)));
    try {
      store.record(activity.values());
    } catch (RuntimeException e) {
      activity.values().stream()
          .filter(a -> a.bytes() > 0)
          .forEach(a -> viewerBytes.add(a.grantId(), a.bytes()));
      recorded.forEach(entry -> entry.unrecorded = true);
      throw e;
    }
  }

  /**
   * Ends the sessions idle here that no other instance saw either; forgets those another instance
   * saw (it holds them now), and those no longer live.
   */
  private void endIdle(Instant now) {
    Instant cutoff = now.minus(idleTimeout);
    Map<String, Entry> idle = new HashMap<>();
    byGrant.forEach(
        (grantId, entry) -> {
          if (entry.lastSeen.isBefore(cutoff)) {
            idle.put(grantId, entry);
          }
        });
    if (idle.isEmpty()) {
      return;
    }
    Map<String, Instant> seen = store.lastSeen(idle.keySet());
    // What another instance saw reaches the database up to one recording interval after it: a
    // session is ended once nobody saw it for the timeout and that much more.
    Instant unseenBefore = cutoff.minus(recordInterval);
    for (Map.Entry<String, Entry> e : idle.entrySet()) {
      Entry entry = e.getValue();
      Instant anywhere = seen.get(e.getKey());
      Instant latest =
          anywhere == null || anywhere.isBefore(entry.lastSeen) ? entry.lastSeen : anywhere;
      if (anywhere != null && !latest.isBefore(unseenBefore)) {
        if (anywhere.isAfter(entry.lastSeen)) {
          // Another instance serves its requests now and ends it in time; a request here again
          // takes it back from the database.
          byGrant.remove(e.getKey(), entry);
        }
        continue;
      }
      if (!byGrant.remove(e.getKey(), entry)) {
        continue; // forgotten meanwhile
      }
      if (!entry.lastSeen.isBefore(cutoff)) {
        byGrant.putIfAbsent(e.getKey(), entry); // asked for something meanwhile
        continue;
      }
      if (anywhere == null) {
        continue; // no longer live: ended elsewhere (revoked, stopped, another instance)
      }
      try {
        lifecycle.endViewer(entry.sessionId, "idle-timeout");
      } catch (RuntimeException failure) {
        Log.warnf("ending idle HLS session %s failed: %s", entry.sessionId, failure);
        byGrant.putIfAbsent(e.getKey(), entry);
      }
    }
  }

  /**
   * Ends live HLS sessions that no instance saw for the idle timeout and some more: their instance
   * stopped (a restart, a rolling update) before their players did.
   */
  void endUnheld(Instant now) {
    Instant cutoff = now.minus(idleTimeout).minus(recordInterval.multipliedBy(2));
    Set<String> mine = new HashSet<>();
    byGrant.values().forEach(entry -> mine.add(entry.sessionId));
    for (String sessionId : store.unseenSince(cutoff, SWEEP_LIMIT)) {
      if (!mine.contains(sessionId)) {
        lifecycle.endViewer(sessionId, "idle-timeout");
      }
    }
  }
}
