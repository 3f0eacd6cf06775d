package io.beamline.token.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Lifetimes of API keys and of the keys that sign them. */
@ConfigMapping(prefix = "beamline.api-keys")
public interface ApiKeysConfig {

  /** Lifetime of a key created without {@code expiresOn}; default {@code 365d}. */
  @WithDefault("365d")
  Duration defaultLifetime();

  /** Longest lifetime a key may ask for; default {@code 730d}. */
  @WithDefault("730d")
  Duration maxLifetime();

  /** How often a new signing key takes over; default {@code 90d}. */
  @WithDefault("90d")
  Duration signingKeyRotation();

  /** How long an instance caches the signing keys before re-reading them; default {@code 30s}. */
  @WithDefault("30s")
  Duration signingKeyCache();
}
