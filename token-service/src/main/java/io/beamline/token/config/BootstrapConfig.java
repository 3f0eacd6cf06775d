package io.beamline.token.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The operator's first account and API key, created at start when the database has none. */
@ConfigMapping(prefix = "beamline.bootstrap")
public interface BootstrapConfig {

  /** Name of the first account; no default: without it nothing is bootstrapped. */
  Optional<String> accountName();

  /** File the bootstrap API key is written to (mode 600); no default: the key is only logged. */
  Optional<String> apiKeyFile();

  /**
   * File an internal API key (scope {@code platform:internal}, for the platform's own services to
   * call {@code /internal/...} endpoints such as {@code /internal/authorize}) is written to (mode
   * 600) when it does not exist yet; no default: no internal key is issued. Delete the file and
   * restart to issue a new one.
   */
  Optional<String> internalKeyFile();

  /** Lifetime of the bootstrap API key and of the internal key; default {@code 365d}. */
  @WithDefault("365d")
  Duration apiKeyLifetime();
}
