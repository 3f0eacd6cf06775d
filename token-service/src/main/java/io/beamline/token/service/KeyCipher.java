package io.beamline.token.service;

import io.beamline.token.config.SecretsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** Seals secrets stored in the database with the master key (AES-256-GCM). */
@ApplicationScoped
public class KeyCipher {

  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  public KeyCipher(SecretsConfig config) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(config.masterKey().trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("beamline.secrets.master-key is not valid base64", e);
    }
    if (raw.length != 32) {
      throw new IllegalStateException(
          "beamline.secrets.master-key must be 32 bytes (base64 of 32 random bytes), got "
              + raw.length);
    }
    this.key = new SecretKeySpec(raw, "AES");
  }

  public byte[] seal(byte[] plain) {
    try {
      byte[] iv = new byte[IV_BYTES];
      random.nextBytes(iv);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
      byte[] sealed = cipher.doFinal(plain);
      return ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot seal a secret", e);
    }
  }

  public byte[] open(byte[] sealed) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, IV_BYTES));
      return cipher.doFinal(sealed, IV_BYTES, sealed.length - IV_BYTES);
    } catch (GeneralSecurityException e) {
      // Wrong master key or tampered row: refuse loudly rather than sign with garbage.
      throw new IllegalStateException("cannot open a sealed secret: wrong master key?", e);
    }
  }
}
