package io.beamline.token.service;

import io.beamline.token.SigningKey;
import io.beamline.token.config.ApiKeysConfig;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Keeps the RSA keys that sign API keys: one active key signs, retired keys keep verifying until
 * the keys they signed have expired, and a new key takes over on a schedule or on demand.
 */
@ApplicationScoped
public class SigningKeys {

  static final String ALGORITHM = "RS256";

  /** Advisory lock so that two instances starting together create one first key, not two. */
  private static final long CREATE_LOCK = 0x6b657973L;

  private final EntityManager entityManager;
  private final KeyCipher cipher;
  private final ApiKeysConfig config;
  private volatile Cached cached;

  /** The active key with its private half opened, cached for signing. */
  public record ActiveKey(String kid, PrivateKey privateKey) {}

  private record Cached(ActiveKey active, Instant loadedAt) {}

  public SigningKeys(EntityManager entityManager, KeyCipher cipher, ApiKeysConfig config) {
    this.entityManager = entityManager;
    this.cipher = cipher;
    this.config = config;
  }

  /** The key to sign with now, creating the first one if there is none. */
  public ActiveKey active() {
    Cached current = cached;
    if (current != null
        && current.loadedAt().plus(config.signingKeyCache()).isAfter(Instant.now())) {
      return current.active();
    }
    SigningKey row = QuarkusTransaction.joiningExisting().call(this::activeRowOrCreate);
    ActiveKey active = new ActiveKey(row.kid, privateKey(row));
    cached = new Cached(active, Instant.now());
    return active;
  }

  /** Retires the active key and starts signing with a new one; returns the new key's id. */
  public String rotate() {
    String kid =
        QuarkusTransaction.requiringNew()
            .call(
                () -> {
                  lock();
                  Instant now = Instant.now();
                  for (SigningKey old : activeRows()) {
                    old.retiredAt = now;
                    old.verifyUntil = now.plus(config.maxLifetime());
                  }
                  return create(now).kid;
                });
    cached = null;
    Log.infof("signing key rotated: new API keys are signed with %s", kid);
    return kid;
  }

  /** Keys whose public half must be published: the active one and retired ones still in use. */
  public List<SigningKey> verifiable() {
    return QuarkusTransaction.joiningExisting()
        .call(
            () ->
                entityManager
                    .createQuery(
                        "from SigningKey where verifyUntil is null or verifyUntil > :now"
                            + " order by createdAt desc",
                        SigningKey.class)
                    .setParameter("now", Instant.now())
                    .getResultList());
  }

  public static RSAPublicKey publicKey(SigningKey row) {
    try {
      return (RSAPublicKey)
          KeyFactory.getInstance("RSA")
              .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(row.publicKey)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("stored public key " + row.kid + " is unreadable", e);
    }
  }

  @Scheduled(every = "6h", delayed = "1m")
  void rotateWhenDue() {
    SigningKey current = QuarkusTransaction.requiringNew().call(this::activeRowOrCreate);
    if (current.createdAt.plus(config.signingKeyRotation()).isBefore(Instant.now())) {
      rotate();
    }
  }

  private SigningKey activeRowOrCreate() {
    List<SigningKey> active = activeRows();
    if (!active.isEmpty()) {
      return active.get(0);
    }
    lock();
    active = activeRows();
    return active.isEmpty() ? create(Instant.now()) : active.get(0);
  }

  private List<SigningKey> activeRows() {
    return entityManager
        .createQuery(
            "from SigningKey where retiredAt is null order by createdAt desc", SigningKey.class)
        .getResultList();
  }

  private void lock() {
    entityManager
        .createNativeQuery("select pg_advisory_xact_lock(?1)")
        .setParameter(1, CREATE_LOCK)
        .getSingleResult();
  }

  private SigningKey create(Instant now) {
    KeyPair pair = generate();
    SigningKey row = new SigningKey();
    row.kid = kidFor(now);
    row.algorithm = ALGORITHM;
    row.publicKey = Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
    row.privateKeySealed = cipher.seal(pair.getPrivate().getEncoded());
    row.createdAt = now;
    entityManager.persist(row);
    return row;
  }

  private PrivateKey privateKey(SigningKey row) {
    try {
      return KeyFactory.getInstance("RSA")
          .generatePrivate(new PKCS8EncodedKeySpec(cipher.open(row.privateKeySealed)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("stored private key " + row.kid + " is unreadable", e);
    }
  }

  private static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA is not available", e);
    }
  }

  private static String kidFor(Instant now) {
    byte[] random = new byte[4];
    new SecureRandom().nextBytes(random);
    return "bk-"
        + DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC).format(now)
        + "-"
        + HexFormat.of().formatHex(random);
  }
}
