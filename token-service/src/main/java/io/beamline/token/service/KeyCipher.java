package io.beamline.token.service;

import io.beamline.platform.secrets.SecretSealer;
import io.beamline.token.config.SecretsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Set;

/**
 * Seals secrets stored in the database with the master key (AES-256-GCM), and opens rows sealed by
 * the current or an older, still configured, master-key version; token-service's configuration over
 * the platform's {@link SecretSealer}.
 */
@ApplicationScoped
public class KeyCipher {

  private final SecretSealer sealer;

  public KeyCipher(SecretsConfig config) {
    this.sealer =
        new SecretSealer(
            "beamline.secrets",
            config.masterKeyVersion(),
            config.masterKey(),
            config.previousMasterKeys().orElse(List.of()));
  }

  /** The master-key version {@link #seal(byte[])} uses; store it next to the sealed bytes. */
  public int currentVersion() {
    return sealer.currentVersion();
  }

  /** Whether rows sealed with {@code version} can be opened (the key is still configured). */
  public boolean knows(int version) {
    return sealer.knows(version);
  }

  /** Every configured version other than the current one: rows sealed with these get re-sealed. */
  public Set<Integer> olderVersions() {
    return sealer.olderVersions();
  }

  /** Seals with the current master key: 12-byte IV || ciphertext || 16-byte tag. */
  public byte[] seal(byte[] plain) {
    return sealer.seal(plain);
  }

  /** Opens bytes sealed with the current master key. */
  public byte[] open(byte[] sealed) {
    return sealer.open(sealed);
  }

  /** Opens bytes sealed with master-key {@code version}. */
  public byte[] open(int version, byte[] sealed) {
    return sealer.open(version, sealed);
  }
}
