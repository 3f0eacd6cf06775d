package io.beamline.token.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Secrets token-service needs at rest, and the versions of the master key that seal them. */
@ConfigMapping(prefix = "beamline.secrets")
public interface SecretsConfig {

  /**
   * Base64 of 32 random bytes that encrypt signing keys and token secrets in the database
   * (AES-256-GCM). No default: set {@code BEAMLINE_SECRETS_MASTER_KEY}; {@code ./beamline up}
   * generates one in its data dir.
   */
  String masterKey();

  /**
   * Version number of {@link #masterKey()}, stored next to every token secret it seals; default
   * {@code 1}. To rotate: move the current key into {@link #previousMasterKeys()} under its
   * version, set a new key and a higher version; rows are re-sealed with the new key in the
   * background.
   */
  @WithDefault("1")
  int masterKeyVersion();

  /**
   * Older master keys that may still have sealed rows, as {@code version:base64} entries (e.g.
   * {@code BEAMLINE_SECRETS_PREVIOUS_MASTER_KEYS=1:AAAA...}); default none.
   */
  Optional<List<String>> previousMasterKeys();

  /**
   * How often token secrets sealed with a previous master key are looked for and re-sealed with the
   * current one; default {@code 60s}.
   */
  @WithDefault("60s")
  Duration resealInterval();
}
