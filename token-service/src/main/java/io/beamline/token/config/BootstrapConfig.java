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

  /** Lifetime of the bootstrap API key; default {@code 365d}. */
  @WithDefault("365d")
  Duration apiKeyLifetime();
}
