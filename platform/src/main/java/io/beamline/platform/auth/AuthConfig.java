package io.beamline.platform.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How a service learns about revoked API keys. */
@ConfigMapping(prefix = "beamline.auth")
public interface AuthConfig {

  /** Whether to follow the {@code token-revoked} topic; default {@code true}. */
  @WithDefault("true")
  boolean followRevocations();

  /** How long one poll of the revocation topic may block; default {@code 500ms}. */
  @WithDefault("500ms")
  Duration revocationPollTimeout();
}
