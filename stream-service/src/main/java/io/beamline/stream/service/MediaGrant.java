package io.beamline.stream.service;

import java.time.Instant;

/**
 * What a media JWT grants: one action on one stream from one client address, with the settings the
 * authorisation decision gave.
 *
 * @param id the JWT id: an HLS viewer session is keyed by it
 * @param action {@code publish} or {@code subscribe}
 * @param clientIp the address the Director saw; the media node must see the same one (null for
 *     egress grants)
 * @param tokenId publish or subscribe token of the decision; null on an open stream
 * @param sourceId the source the viewer or internal reader is served; null = the main one
 * @param expiresAt after this the grant no longer starts anything
 */
public record MediaGrant(
    String id,
    String action,
    String accountId,
    String streamName,
    String clientIp,
    Long tokenId,
    String trackingId,
    String clientCountry,
    boolean record,
    boolean multisource,
    boolean secure,
    Integer priority,
    String viewerTokenId,
    String sourceId,
    Instant expiresAt) {

  public static final String PUBLISH = "publish";
  public static final String SUBSCRIBE = "subscribe";

  /**
   * A platform worker (recording, restream) reading a stream: single use, any client address, never
   * counted as a viewer.
   */
  public static final String EGRESS = "egress";

  public String streamId() {
    return accountId + "/" + streamName;
  }
}
