package io.beamline.token.config;

import io.smallrye.config.ConfigMapping;

/** Secrets token-service needs at rest. */
@ConfigMapping(prefix = "beamline.secrets")
public interface SecretsConfig {

  /**
   * Base64 of 32 random bytes that encrypt signing keys in the database (AES-256-GCM). No default:
   * set {@code BEAMLINE_SECRETS_MASTER_KEY}; {@code ./beamline up} generates one in its data dir.
   */
  String masterKey();
}
