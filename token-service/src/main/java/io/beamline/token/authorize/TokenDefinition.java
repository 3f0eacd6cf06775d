package io.beamline.token.authorize;

import io.beamline.events.token.TokenKind;
import java.time.Instant;
import java.util.List;

/**
 * A publish or subscribe token as stored, with its secret in clear: what the authorisation index
 * compiles into {@link TokenRules}.
 *
 * @param revision grows with every change of the token row; an older read never replaces a newer
 * @param secret the token string (the opaque bearer secret and the self-signed tokens' HMAC key)
 * @param expiresOn null = never
 * @param bindIpsOnUsage null = no binding; else the number of addresses bound on first use
 * @param originCluster null = the account's default
 * @param subscribeRequiresAuth publish tokens: viewers of its streams need a subscribe token
 * @param restream publish tokens: whether it has enabled restream targets
 * @param trackingId subscribe tokens: partner tracking id; null = untracked
 * @param maxConcurrentViewers subscribe tokens: cap on concurrent viewers; null = none
 * @param singleUseViewerTokens subscribe tokens: each viewer credential may start media once
 */
public record TokenDefinition(
    TokenKind kind,
    long id,
    long revision,
    String accountId,
    String label,
    String secret,
    boolean active,
    Instant expiresOn,
    List<StreamRule> streams,
    List<String> allowedOrigins,
    List<String> allowedIpAddresses,
    Integer bindIpsOnUsage,
    List<String> allowedCountries,
    List<String> deniedCountries,
    String originCluster,
    boolean subscribeRequiresAuth,
    boolean record,
    boolean multisource,
    Integer priority,
    String trackingId,
    boolean restream,
    Integer maxConcurrentViewers,
    boolean singleUseViewerTokens) {

  public TokenRef ref() {
    return new TokenRef(kind, id);
  }
}
