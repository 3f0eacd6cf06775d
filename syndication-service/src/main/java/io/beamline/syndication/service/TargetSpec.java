package io.beamline.syndication.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * One enabled target a live stream should be pushed to, from a publish token or from the stream's
 * own targets.
 *
 * @param targetId stable id: {@code s-<uuid>} for a stream target, {@code t<tokenId>-<hash>} for a
 *     token target
 * @param tokenId the publish token the target belongs to; null for a stream target
 * @param url target URL without the key
 * @param key stream key (RTMP) or stream id (SRT)
 * @param label display name; may be null
 */
public record TargetSpec(String targetId, Long tokenId, String url, String key, String label) {

  public static TargetSpec ofStreamTarget(UUID id, String url, String key, String label) {
    return new TargetSpec("s-" + id, null, url, key, label);
  }

  /**
   * A token's target: token targets have no id of their own, so the id is derived from the URL and
   * key; a changed URL or key is a new target (and a new job), a changed label is not.
   */
  public static TargetSpec ofTokenTarget(long tokenId, String url, String key, String label) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((url + "\n" + key).getBytes(StandardCharsets.UTF_8));
      String hash = HexFormat.of().formatHex(digest, 0, 8);
      return new TargetSpec("t" + tokenId + "-" + hash, tokenId, url, key, label);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }

  @Override
  public String toString() {
    return "TargetSpec[" + targetId + ", " + TargetUrls.redacted(url) + "]";
  }
}
