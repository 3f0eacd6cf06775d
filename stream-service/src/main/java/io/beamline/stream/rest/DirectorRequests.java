package io.beamline.stream.rest;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/** Request and response bodies of the Director (reference API section 4). */
public final class DirectorRequests {

  private DirectorRequests() {}

  /** {@code POST /api/director/publish}. */
  public record PublishRequest(
      @NotBlank
          @Size(max = 128)
          @Pattern(regexp = "[A-Za-z0-9_.-]+", message = "letters, digits, _ . - only")
          String streamName,
      @Pattern(regexp = "WebRtc|Rtmp", message = "must be WebRtc or Rtmp") String streamType,
      @Size(max = 64) String streamAccountId) {}

  /** {@code POST /api/director/subscribe}. */
  public record SubscribeRequest(
      @NotBlank
          @Size(max = 128)
          @Pattern(regexp = "[A-Za-z0-9_.-]+", message = "letters, digits, _ . - only")
          String streamName,
      @Size(max = 64) String streamAccountId,
      @Size(max = 128) @Pattern(regexp = "[A-Za-z0-9_.-]+", message = "letters, digits, _ . - only")
          String sourceId) {}

  /** One URL a client can use, with its protocol. */
  public record MediaUrl(String protocol, String url) {}

  /**
   * The Director's answer.
   *
   * @param urls where to publish or play, the token-carrying media JWT already in them
   * @param jwt the media JWT alone (expires after {@code expiresIn} seconds if unused)
   * @param mediaUrls the same URLs labelled by protocol
   */
  public record DirectorResponse(
      List<String> urls,
      List<MediaUrl> mediaUrls,
      String jwt,
      long expiresIn,
      List<Object> iceServers,
      String streamAccountId,
      String clusterId,
      Boolean subscribeRequiresAuth) {}
}
