package io.beamline.stream.service;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bytes the media node sent to each HLS viewer (by grant id), from its traffic log, until the
 * session ends and {@code viewer-left} carries them.
 */
@ApplicationScoped
public class HlsViewerBytes {

  /** Bytes of a grant whose session ended before they were reported are dropped after this. */
  private static final long FORGET_AFTER_NANOS = 10L * 60 * 1_000_000_000;

  private static final class Sent {
    long bytes;
    long lastNanos = System.nanoTime();
  }

  private final Map<String, Sent> byGrant = new ConcurrentHashMap<>();

  /** Adds bytes sent with a grant's URLs. */
  public void add(String grantId, long bytes) {
    byGrant.compute(
        grantId,
        (id, sent) -> {
          Sent s = sent == null ? new Sent() : sent;
          s.bytes += bytes;
          s.lastNanos = System.nanoTime();
          return s;
        });
  }

  /** The bytes sent with a grant's URLs so far, forgotten here: its session ends. */
  public long take(String grantId) {
    Sent sent = grantId == null ? null : byGrant.remove(grantId);
    return sent == null ? 0 : sent.bytes;
  }

  @Scheduled(every = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void forgetOrphans() {
    long now = System.nanoTime();
    byGrant.values().removeIf(s -> now - s.lastNanos > FORGET_AFTER_NANOS);
  }
}
