package io.beamline.token;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** An RSA key pair that signs API keys; its public half is published in the JWKS. */
@Entity
@Table(name = "signing_key")
public class SigningKey {

  @Id public String kid;

  @Column(nullable = false)
  public String algorithm;

  /** X.509 SubjectPublicKeyInfo, base64. */
  @Column(name = "public_key", nullable = false)
  public String publicKey;

  /** PKCS#8 private key sealed with the master key (AES-GCM: 12-byte IV then ciphertext). */
  @Column(name = "private_key_sealed", nullable = false)
  public byte[] privateKeySealed;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "retired_at")
  public Instant retiredAt;

  @Column(name = "verify_until")
  public Instant verifyUntil;
}
