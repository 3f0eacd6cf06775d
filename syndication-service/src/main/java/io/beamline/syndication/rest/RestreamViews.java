package io.beamline.syndication.rest;

import io.beamline.syndication.RestreamJob;
import io.beamline.syndication.StreamTarget;
import io.beamline.syndication.service.TargetUrls;
import java.time.Instant;
import java.util.UUID;

/** What the API shows of targets and jobs: never a stream key in full. */
public final class RestreamViews {

  private RestreamViews() {}

  /**
   * A stream's restream target.
   *
   * @param id target id
   * @param streamName stream it belongs to
   * @param url target URL without the key
   * @param keyHint the key's last characters, e.g. {@code ****ab12}
   * @param label display name; null when none
   * @param enabled whether it is used
   */
  public record TargetView(
      UUID id,
      String streamName,
      String url,
      String keyHint,
      String label,
      boolean enabled,
      Instant createdAt,
      Instant updatedAt) {

    static TargetView of(StreamTarget t) {
      return new TargetView(
          t.id, t.streamName, t.url, t.keyHint, t.label, t.enabled, t.createdAt, t.updatedAt);
    }
  }

  /**
   * A restream job and its state.
   *
   * @param id job id
   * @param streamName stream pushed
   * @param targetId {@code s-<target id>} (stream target) or {@code t<tokenId>-<hash>} (token)
   * @param tokenId publish token of the target; null for a stream target
   * @param label target label
   * @param targetUrl target URL with the key redacted
   * @param state pending, connecting, live, retrying, failed or stopped
   * @param attempt connection attempts so far
   * @param lastError secret-free cause of the last failure
   * @param stopReason why it stopped (stream-ended, target-disabled, target-removed, ...)
   * @param owner instance running it
   * @param bytesOut bytes pushed
   * @param pushedSeconds media seconds pushed
   */
  public record JobView(
      UUID id,
      String streamName,
      String targetId,
      Long tokenId,
      String label,
      String targetUrl,
      String state,
      int attempt,
      String lastError,
      String stopReason,
      String owner,
      long bytesOut,
      long pushedSeconds,
      Instant createdAt,
      Instant liveAt,
      Instant endedAt,
      Instant updatedAt) {

    static JobView of(RestreamJob j) {
      return new JobView(
          j.id,
          j.streamName,
          j.targetId,
          j.tokenId,
          j.label,
          TargetUrls.redacted(j.url),
          j.state,
          j.attempt,
          j.lastError,
          j.stopReason,
          j.owner,
          j.bytesOut,
          j.pushedMs / 1000,
          j.createdAt,
          j.liveAt,
          j.endedAt,
          j.updatedAt);
    }
  }
}
