package io.beamline.token.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Limits of publish and subscribe tokens, and the expiry announcer's schedule. */
@ConfigMapping(prefix = "beamline.tokens")
public interface TokensConfig {

  /** Most stream entries ({@code streams[]}) one token may hold; default {@code 100}. */
  @WithDefault("100")
  int maxStreams();

  /** Most restream targets per publish token; default {@code 10} (the reference uses 10). */
  @WithDefault("10")
  int maxRestreamTargets();

  /**
   * Most entries in each of {@code allowedOrigins}, {@code allowedIpAddresses}, {@code
   * allowedCountries} and {@code deniedCountries}; default {@code 100}.
   */
  @WithDefault("100")
  int maxListEntries();

  /** Largest {@code bindIpsOnUsage}; default {@code 100}. */
  @WithDefault("100")
  int maxBindIps();

  /**
   * Longest lifetime a token may be given ({@code expires}/{@code expiresOn}); default 10 years.
   */
  @WithDefault("3650d")
  Duration maxLifetime();

  /** Most token ids in one bulk disable request; default {@code 100}. */
  @WithDefault("100")
  int maxBulkIds();

  /** How often expired tokens are looked for and announced ({@code token-revoked}); default 5s. */
  @WithDefault("5s")
  Duration expiryCheckInterval();

  /** Most expired tokens announced per run of the expiry job; default {@code 500}. */
  @WithDefault("500")
  int expiryBatchSize();
}
