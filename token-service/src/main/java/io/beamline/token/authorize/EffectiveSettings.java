package io.beamline.token.authorize;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * What the caller needs to serve an allowed request: the token's settings, or the inherited ones.
 * Publish-token settings ({@code record}, {@code multisource}, {@code priority}, {@code restream},
 * {@code subscribeRequiresAuth}) appear on subscribe answers only when the publish token is known.
 *
 * @param tokenId the publish or subscribe token (the parent of a self-signed token); null on an
 *     open stream without a token
 * @param tokenType {@code publish}, {@code subscribe}, or null without a token
 * @param selfSigned whether the viewer presented a self-signed token
 * @param expiresAt when the credential stops being valid (self-signed: the earlier of its {@code
 *     exp} and its parent's expiry); null = never
 * @param clientCountry ISO-3166 alpha-2 country of the client, when a GeoIP database knows it
 * @param viewerTokenId single-use viewer credentials: the id to present when media starts ({@code
 *     POST /internal/viewer-sessions}); null otherwise
 * @param maxConcurrentViewers the subscribe token's viewer cap, if any: media start is checked
 *     against it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EffectiveSettings(
    Long tokenId,
    String tokenType,
    Boolean selfSigned,
    String accountId,
    String streamName,
    String label,
    Boolean record,
    Boolean multisource,
    Integer priority,
    Boolean restream,
    Boolean subscribeRequiresAuth,
    String trackingId,
    String originCluster,
    String customViewerData,
    Instant expiresAt,
    String clientCountry,
    String viewerTokenId,
    Integer maxConcurrentViewers) {

  /** A viewer's settings: the subscribe token's (if any) and its stream's publish token's. */
  static EffectiveSettings forViewer(
      TokenRules token,
      AuthorizeRequest request,
      TokenRules publisher,
      String trackingId,
      String country,
      String cluster,
      String customViewerData,
      String viewerTokenId,
      boolean selfSigned) {
    TokenDefinition t = token == null ? null : token.definition();
    TokenDefinition p = publisher == null ? null : publisher.definition();
    String clusterOrPublisher = cluster != null ? cluster : p == null ? null : p.originCluster();
    return new EffectiveSettings(
        t == null ? null : t.id(),
        t == null ? null : "subscribe",
        t == null ? null : selfSigned,
        t == null ? request.accountId() : t.accountId(),
        request.streamName(),
        t == null ? null : t.label(),
        p == null ? null : p.record(),
        p == null ? null : p.multisource(),
        p == null ? null : p.priority(),
        p == null ? null : p.restream(),
        p == null ? null : p.subscribeRequiresAuth(),
        trackingId,
        clusterOrPublisher,
        customViewerData,
        t == null ? null : t.expiresOn(),
        country,
        viewerTokenId,
        t == null ? null : t.maxConcurrentViewers());
  }

  /** The same settings with another expiry. */
  EffectiveSettings withExpiresAt(Instant expiry) {
    return new EffectiveSettings(
        tokenId,
        tokenType,
        selfSigned,
        accountId,
        streamName,
        label,
        record,
        multisource,
        priority,
        restream,
        subscribeRequiresAuth,
        trackingId,
        originCluster,
        customViewerData,
        expiry,
        clientCountry,
        viewerTokenId,
        maxConcurrentViewers);
  }
}
