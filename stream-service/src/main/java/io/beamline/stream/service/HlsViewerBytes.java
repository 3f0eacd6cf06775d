package io.beamline.stream.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bytes the media node sent to each HLS viewer (by grant id), from its traffic log, until they are
 * recorded on the session's row or the session ends here and {@code viewer-left} carries them.
 */
@ApplicationScoped
public class HlsViewerBytes {

  private final Map<String, Long> byGrant = new ConcurrentHashMap<>();

  /** Adds bytes sent with a grant's URLs. */
  public void add(String grantId, long bytes) {
    byGrant.merge(grantId, bytes, Long::sum);
  }

  /** The bytes sent with a grant's URLs since they were last taken, forgotten here. */
  public long take(String grantId) {
    Long sent = grantId == null ? null : byGrant.remove(grantId);
    return sent == null ? 0 : sent;
  }

  /** Every grant's bytes since they were last taken, forgotten here (to be recorded elsewhere). */
  public Map<String, Long> drain() {
    Map<String, Long> drained = new HashMap<>();
    for (String grantId : byGrant.keySet()) {
      long bytes = take(grantId);
      if (bytes > 0) {
        drained.put(grantId, bytes);
      }
    }
    return drained;
  }
}
