package io.beamline.stream.service;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * token-service's answer to {@code POST /internal/authorize}.
 *
 * @param allowed whether the publisher or viewer may go ahead
 * @param reason the stable refusal reason ({@code token_expired}, {@code ip_not_allowed}...)
 * @param detail a human explanation of the refusal
 * @param settings the effective settings of an allowed request
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Decision(boolean allowed, String reason, String detail, Settings settings) {

  /**
   * The effective settings stream-service uses (a subset of token-service's).
   *
   * @param tokenId the publish or subscribe token; null on an open stream
   * @param accountId the token's account
   * @param clientCountry the client's country, when token-service's GeoIP knows it
   * @param viewerTokenId single-use viewer credentials: presented when media starts
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Settings(
      Long tokenId,
      String tokenType,
      String accountId,
      String streamName,
      Boolean record,
      Boolean multisource,
      Integer priority,
      Boolean restream,
      Boolean subscribeRequiresAuth,
      String trackingId,
      String originCluster,
      String clientCountry,
      String viewerTokenId,
      Integer maxConcurrentViewers) {}

  public static Decision deny(String reason, String detail) {
    return new Decision(false, reason, detail, null);
  }
}
