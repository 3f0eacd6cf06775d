package io.beamline.token.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.beamline.token.AccountSecurity;
import io.beamline.token.RestreamTarget;
import io.beamline.token.StreamingToken;
import io.beamline.token.TokenStream;
import io.beamline.token.service.TokenSecrets;
import java.time.Instant;
import java.util.List;

/** How publish and subscribe tokens look in API responses (reference field names). */
public final class TokenViews {

  /** Cluster shown when neither the token nor the account names one. */
  static final String AUTO_CLUSTER = "auto";

  private TokenViews() {}

  /**
   * The settings that apply to a token: its own value, or else the account's default.
   *
   * @param originCluster the token's cluster, or {@code auto}
   * @param allowedCountries the token's list when it has an allowed or denied list, else the
   *     account's
   * @param deniedCountries likewise
   */
  public record EffectiveSettings(
      String originCluster, List<String> allowedCountries, List<String> deniedCountries) {

    static EffectiveSettings of(StreamingToken token, AccountSecurity account) {
      boolean own = !token.allowedCountries.isEmpty() || !token.deniedCountries.isEmpty();
      return new EffectiveSettings(
          token.originCluster == null ? AUTO_CLUSTER : token.originCluster,
          own ? token.allowedCountries : account.allowedCountries,
          own ? token.deniedCountries : account.deniedCountries);
    }
  }

  /**
   * A publish token as its owner sees it, secret included.
   *
   * @param id token id
   * @param label display name
   * @param token the secret string (64 hex characters)
   * @param addedOn creation time
   * @param expiresOn expiry; null = never
   * @param isActive false = disabled
   * @param streams allowed stream names and patterns
   * @param allowedOrigins allowed origins; empty = any
   * @param allowedIpAddresses allowed addresses and CIDR blocks; empty = any
   * @param bindIpsOnUsage binds to the first N addresses; null = no binding
   * @param allowedCountries token's own allowed countries
   * @param deniedCountries token's own denied countries
   * @param originCluster token's cluster; null = account default
   * @param subscribeRequiresAuth viewers need a subscribe token
   * @param record recording allowed
   * @param multisource several sources per stream allowed
   * @param priority default ingest priority; null = none
   * @param restream push targets
   * @param effectiveSettings what applies after inheritance from the account
   */
  public record PublishTokenView(
      long id,
      String label,
      String token,
      Instant addedOn,
      Instant expiresOn,
      @JsonProperty("isActive") boolean isActive,
      List<TokenStream> streams,
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
      List<RestreamTarget> restream,
      EffectiveSettings effectiveSettings) {

    static PublishTokenView of(
        StreamingToken token, AccountSecurity account, TokenSecrets secrets) {
      return new PublishTokenView(
          token.id,
          token.label,
          secrets.secret(token),
          token.addedOn,
          token.expiresOn,
          token.isActive,
          token.streams,
          token.allowedOrigins,
          token.allowedIpAddresses,
          token.bindIpsOnUsage,
          token.allowedCountries,
          token.deniedCountries,
          token.originCluster,
          token.subscribeRequiresAuth,
          token.record,
          token.multisource,
          token.priority,
          secrets.restream(token),
          EffectiveSettings.of(token, account));
    }
  }

  /**
   * Partner tracking of a subscribe token.
   *
   * @param trackingId the tracking id viewers are counted under
   */
  public record TrackingView(String trackingId) {}

  /**
   * A subscribe token as its owner sees it, secret included.
   *
   * @param id token id
   * @param label display name
   * @param token the secret string (64 hex characters); also the key of self-signed tokens
   * @param addedOn creation time
   * @param expiresOn expiry; null = never
   * @param isActive false = disabled
   * @param streams allowed stream names and patterns
   * @param allowedOrigins allowed origins; empty = any
   * @param allowedIpAddresses allowed addresses and CIDR blocks; empty = any
   * @param bindIpsOnUsage binds to the first N addresses; null = no binding
   * @param allowedCountries token's own allowed countries
   * @param deniedCountries token's own denied countries
   * @param originCluster token's cluster; null = account default
   * @param tracking partner tracking; null = untracked
   * @param effectiveSettings what applies after inheritance from the account
   */
  public record SubscribeTokenView(
      long id,
      String label,
      String token,
      Instant addedOn,
      Instant expiresOn,
      @JsonProperty("isActive") boolean isActive,
      List<TokenStream> streams,
      List<String> allowedOrigins,
      List<String> allowedIpAddresses,
      Integer bindIpsOnUsage,
      List<String> allowedCountries,
      List<String> deniedCountries,
      String originCluster,
      TrackingView tracking,
      EffectiveSettings effectiveSettings) {

    static SubscribeTokenView of(
        StreamingToken token, AccountSecurity account, TokenSecrets secrets) {
      return new SubscribeTokenView(
          token.id,
          token.label,
          secrets.secret(token),
          token.addedOn,
          token.expiresOn,
          token.isActive,
          token.streams,
          token.allowedOrigins,
          token.allowedIpAddresses,
          token.bindIpsOnUsage,
          token.allowedCountries,
          token.deniedCountries,
          token.originCluster,
          token.trackingId == null ? null : new TrackingView(token.trackingId),
          EffectiveSettings.of(token, account));
    }
  }
}
