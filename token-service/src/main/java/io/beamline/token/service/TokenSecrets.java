package io.beamline.token.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.token.RestreamTarget;
import io.beamline.token.StreamingToken;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * Makes, seals and opens the secrets of publish and subscribe tokens (the secret string and the
 * restream targets' stream keys); the plain values exist only in memory.
 */
@ApplicationScoped
public class TokenSecrets {

  private static final TypeReference<List<RestreamTarget>> TARGETS = new TypeReference<>() {};

  private final KeyCipher cipher;
  private final SecureRandom random = new SecureRandom();
  private final ObjectMapper json = new ObjectMapper();

  public TokenSecrets(KeyCipher cipher) {
    this.cipher = cipher;
  }

  /** A new secret: 32 random bytes as 64 lowercase hex characters, as in the reference. */
  public String newSecret() {
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    return HexFormat.of().formatHex(raw);
  }

  /** SHA-256 of the secret's ASCII bytes: the {@code secret_digest} column. */
  public static byte[] digest(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest(secret.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * Sets {@code token}'s secret: sealed with the current master key, with its digest. Also re-seals
   * the restream targets so that both sealed columns share {@code secret_key_version}.
   */
  public void setSecret(StreamingToken token, String secret) {
    List<RestreamTarget> targets = restream(token);
    token.secretKeyVersion = cipher.currentVersion();
    token.secretSealed = cipher.seal(secret.getBytes(StandardCharsets.US_ASCII));
    token.secretDigest = digest(secret);
    token.restreamSealed = sealTargets(targets);
  }

  /** The plain secret string of {@code token} (the HMAC key of its self-signed tokens). */
  public String secret(StreamingToken token) {
    return open(token.secretKeyVersion, token.secretSealed);
  }

  /** Opens a {@code secret_sealed} value read from the table directly. */
  public String open(int keyVersion, byte[] secretSealed) {
    return new String(cipher.open(keyVersion, secretSealed), StandardCharsets.US_ASCII);
  }

  /** The restream targets of {@code token}, opened; empty when none. */
  public List<RestreamTarget> restream(StreamingToken token) {
    if (token.restreamSealed == null) {
      return List.of();
    }
    try {
      return json.readValue(cipher.open(token.secretKeyVersion, token.restreamSealed), TARGETS);
    } catch (IOException e) {
      throw new UncheckedIOException("sealed restream targets are not readable", e);
    }
  }

  /**
   * Replaces the restream targets of {@code token}; the secret is re-sealed with the current key
   * when the row was sealed with an older one, so both columns share one key version.
   */
  public void setRestream(StreamingToken token, List<RestreamTarget> targets) {
    if (token.secretKeyVersion != cipher.currentVersion()) {
      String secret = secret(token);
      token.secretKeyVersion = cipher.currentVersion();
      token.secretSealed = cipher.seal(secret.getBytes(StandardCharsets.US_ASCII));
    }
    token.restreamSealed = sealTargets(targets);
    token.restreamEnabled = targets != null && targets.stream().anyMatch(RestreamTarget::enabled);
  }

  /** Re-seals both columns with the current master key (rotation); no-op when already current. */
  public boolean reseal(StreamingToken token) {
    if (token.secretKeyVersion == cipher.currentVersion()) {
      return false;
    }
    setSecret(token, secret(token));
    return true;
  }

  private byte[] sealTargets(List<RestreamTarget> targets) {
    if (targets == null || targets.isEmpty()) {
      return null;
    }
    try {
      return cipher.seal(json.writeValueAsBytes(targets));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
