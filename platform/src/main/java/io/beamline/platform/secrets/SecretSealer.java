package io.beamline.platform.secrets;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals secrets stored in a database with a versioned master key (AES-256-GCM), and opens rows
 * sealed by the current or an older, still configured, master-key version.
 *
 * <p>A plain class (not a CDI bean) so that every service wraps it in its own typed configuration;
 * {@code propertyPrefix} only names the service's properties in error messages.
 */
public final class SecretSealer {

  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final String propertyPrefix;
  private final int currentVersion;
  private final Map<Integer, SecretKeySpec> keys = new HashMap<>();
  private final SecureRandom random = new SecureRandom();

  /**
   * @param propertyPrefix e.g. {@code beamline.secrets}, used in error messages
   * @param currentVersion version of {@code masterKey}, stored next to every row it seals
   * @param masterKey base64 of 32 random bytes
   * @param previousMasterKeys older keys as {@code version:base64} entries
   */
  public SecretSealer(
      String propertyPrefix,
      int currentVersion,
      String masterKey,
      List<String> previousMasterKeys) {
    this.propertyPrefix = propertyPrefix;
    this.currentVersion = currentVersion;
    if (masterKey == null || masterKey.isBlank()) {
      throw new IllegalStateException(propertyPrefix + ".master-key is not set");
    }
    keys.put(currentVersion, parse(masterKey, propertyPrefix + ".master-key"));
    String previousProperty = propertyPrefix + ".previous-master-keys";
    for (String entry : previousMasterKeys == null ? List.<String>of() : previousMasterKeys) {
      int colon = entry.indexOf(':');
      if (colon <= 0) {
        throw new IllegalStateException(previousProperty + " entries must be version:base64");
      }
      int version;
      try {
        version = Integer.parseInt(entry.substring(0, colon).trim());
      } catch (NumberFormatException e) {
        throw new IllegalStateException(previousProperty + ": version is not a number", e);
      }
      if (version == currentVersion) {
        throw new IllegalStateException(
            previousProperty + " repeats the current version " + version);
      }
      keys.put(version, parse(entry.substring(colon + 1), previousProperty));
    }
  }

  private static SecretKeySpec parse(String base64, String property) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(property + " is not valid base64", e);
    }
    if (raw.length != 32) {
      throw new IllegalStateException(
          property + " must be 32 bytes (base64 of 32 random bytes), got " + raw.length);
    }
    return new SecretKeySpec(raw, "AES");
  }

  /** The master-key version {@link #seal(byte[])} uses; store it next to the sealed bytes. */
  public int currentVersion() {
    return currentVersion;
  }

  /** Whether rows sealed with {@code version} can be opened (the key is still configured). */
  public boolean knows(int version) {
    return keys.containsKey(version);
  }

  /** Every configured version other than the current one: rows sealed with these get re-sealed. */
  public Set<Integer> olderVersions() {
    Set<Integer> older = new TreeSet<>(keys.keySet());
    older.remove(currentVersion);
    return older;
  }

  /** Seals with the current master key: 12-byte IV || ciphertext || 16-byte tag. */
  public byte[] seal(byte[] plain) {
    try {
      byte[] iv = new byte[IV_BYTES];
      random.nextBytes(iv);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.ENCRYPT_MODE, keys.get(currentVersion), new GCMParameterSpec(TAG_BITS, iv));
      byte[] sealed = cipher.doFinal(plain);
      return ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot seal a secret", e);
    }
  }

  /** Opens bytes sealed with the current master key. */
  public byte[] open(byte[] sealed) {
    return open(currentVersion, sealed);
  }

  /** Opens bytes sealed with master-key {@code version}. */
  public byte[] open(int version, byte[] sealed) {
    SecretKeySpec key = keys.get(version);
    if (key == null) {
      throw new IllegalStateException(
          "no master key of version " + version + " is configured (" + propertyPrefix + ".*)");
    }
    if (sealed == null || sealed.length < IV_BYTES + TAG_BITS / 8) {
      throw new IllegalStateException("cannot open a sealed secret: it is truncated");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, IV_BYTES));
      return cipher.doFinal(sealed, IV_BYTES, sealed.length - IV_BYTES);
    } catch (GeneralSecurityException e) {
      // Wrong master key or tampered row: refuse loudly rather than use garbage.
      throw new IllegalStateException(
          "cannot open a sealed secret: wrong master key? (" + propertyPrefix + ".*)", e);
    }
  }
}
