package io.beamline.stream.media;

import io.beamline.stream.config.StreamConfig;
import io.beamline.stream.service.StreamLifecycle;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HLS viewers of this instance, by grant id: HLS has no connection to watch, so a session lives
 * while its playlist and segments keep being asked for, and ends after the idle timeout.
 */
@ApplicationScoped
public class HlsSessions {

  /** A live HLS session and when it last asked for something. */
  static final class Entry {
    final String sessionId;
    volatile Instant lastSeen = Instant.now();

    Entry(String sessionId) {
      this.sessionId = sessionId;
    }
  }

  private final Map<String, Entry> byGrant = new ConcurrentHashMap<>();
  private final StreamLifecycle lifecycle;
  private final StreamConfig config;

  public HlsSessions(StreamLifecycle lifecycle, StreamConfig config) {
    this.lifecycle = lifecycle;
    this.config = config;
  }

  /** Marks the grant's session active now; false when this instance holds no live session. */
  boolean touch(String grantId) {
    Entry entry = byGrant.get(grantId);
    if (entry == null) {
      return false;
    }
    entry.lastSeen = Instant.now();
    return true;
  }

  void remember(String grantId, String sessionId) {
    byGrant.put(grantId, new Entry(sessionId));
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

  @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void endIdle() {
    Instant cutoff = Instant.now().minus(config.hlsIdleTimeout());
    for (Map.Entry<String, Entry> e : byGrant.entrySet()) {
      if (e.getValue().lastSeen.isBefore(cutoff) && byGrant.remove(e.getKey(), e.getValue())) {
        try {
          lifecycle.endViewer(e.getValue().sessionId, "idle-timeout");
        } catch (RuntimeException failure) {
          Log.warnf("ending idle HLS session %s failed: %s", e.getValue().sessionId, failure);
          byGrant.putIfAbsent(e.getKey(), e.getValue());
        }
      }
    }
  }
}
