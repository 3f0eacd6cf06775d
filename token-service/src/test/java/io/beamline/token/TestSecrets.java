package io.beamline.token;

import io.beamline.token.config.SecretsConfig;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/** Master-key settings and random keys for tests that build a cipher by hand. */
public final class TestSecrets {

  private TestSecrets() {}

  /** Settings with {@code key} as master key {@code version} and older {@code version:base64}. */
  public static SecretsConfig config(String key, int version, List<String> previous) {
    return new SecretsConfig() {
      @Override
      public String masterKey() {
        return key;
      }

      @Override
      public int masterKeyVersion() {
        return version;
      }

      @Override
      public Optional<List<String>> previousMasterKeys() {
        return Optional.of(previous);
      }

      @Override
      public Duration resealInterval() {
        return Duration.ofMinutes(1);
      }
    };
  }

  /** A fresh base64 AES-256 key. */
  public static String randomKey() {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    return Base64.getEncoder().encodeToString(raw);
  }
}
