package io.beamline.stream.service;

import io.beamline.stream.IssuedGrant;
import io.beamline.stream.config.StreamConfig;
import io.quarkus.logging.Log;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;

/**
 * Issues and checks media JWTs (HS256): the Director signs one per publish or play it allows, and
 * the media callbacks verify it locally, without asking token-service again.
 */
@ApplicationScoped
public class MediaJwts {

  private static final String ACTION = "act";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final StreamConfig.MediaJwt config;
  private final SecretKey key;

  public MediaJwts(StreamConfig config) {
    this.config = config.mediaJwt();
    this.key = new SecretKeySpec(secret(this.config.secret()), "HmacSHA256");
  }

  /**
   * Stores the grant and signs its media JWT. The JWT carries only the grant id, the action and the
   * expiry: it must fit nginx-rtmp's 256-character query string next to the stream name.
   */
  @Transactional
  public String issue(MediaGrant grant) {
    IssuedGrant row = new IssuedGrant();
    row.id = grant.id();
    row.action = grant.action();
    row.accountId = grant.accountId();
    row.streamName = grant.streamName();
    row.clientIp = grant.clientIp();
    row.tokenId = grant.tokenId();
    row.trackingId = grant.trackingId();
    row.clientCountry = grant.clientCountry();
    row.record = grant.record();
    row.multisource = grant.multisource();
    row.secure = grant.secure();
    row.priority = grant.priority();
    row.viewerTokenId = grant.viewerTokenId();
    row.sourceId = grant.sourceId();
    row.expiresAt = grant.expiresAt();
    row.createdAt = Instant.now();
    row.persist();
    return Jwt.claims()
        .claim("jti", grant.id())
        .claim(ACTION, grant.action())
        .issuedAt(row.createdAt)
        .expiresAt(grant.expiresAt())
        .jws()
        .algorithm(SignatureAlgorithm.HS256)
        .sign(key);
  }

  /** A new grant id: 128 random bits, base64url (22 characters). */
  public String newId() {
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(id);
  }

  public Instant expiryFromNow() {
    return Instant.now().plus(config.lifetime());
  }

  /**
   * The grant a media JWT carries, if its signature and shape are right and its grant is stored.
   * Expiry is not checked here: an HLS session keeps using its grant after it expired, only
   * starting needs a fresh one ({@link MediaGrant#expiresAt()}).
   */
  @Transactional
  public Optional<MediaGrant> read(String jwt) {
    if (jwt == null || jwt.isBlank() || jwt.length() > 4096) {
      return Optional.empty();
    }
    JwtConsumer consumer =
        new JwtConsumerBuilder()
            .setVerificationKey(key)
            .setJwsAlgorithmConstraints(
                AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.HMAC_SHA256)
            .setRequireExpirationTime()
            .setSkipDefaultAudienceValidation()
            // Expiry is checked by the caller: a started HLS session outlives its grant's expiry.
            .setAllowedClockSkewInSeconds(Integer.MAX_VALUE / 2)
            .build();
    try {
      JwtClaims claims = consumer.processToClaims(jwt);
      IssuedGrant row = grant(claims.getJwtId());
      if (row == null || !row.action.equals(claims.getClaimValueAsString(ACTION))) {
        return Optional.empty();
      }
      return Optional.of(
          new MediaGrant(
              row.id,
              row.action,
              row.accountId,
              row.streamName,
              row.clientIp,
              row.tokenId,
              row.trackingId,
              row.clientCountry,
              row.record,
              row.multisource,
              row.secure,
              row.priority,
              row.viewerTokenId,
              row.sourceId,
              row.expiresAt));
    } catch (InvalidJwtException | MalformedClaimException | RuntimeException e) {
      Log.debugf("media JWT refused: %s", e.getMessage());
      return Optional.empty();
    }
  }

  private static IssuedGrant grant(String id) {
    return id == null ? null : IssuedGrant.findById(id);
  }

  private static byte[] secret(Optional<String> configured) {
    if (configured.isPresent() && !configured.get().isBlank()) {
      byte[] bytes = Base64.getDecoder().decode(configured.get().strip());
      if (bytes.length < 32) {
        throw new IllegalStateException("beamline.stream.media-jwt.secret must be >= 32 bytes");
      }
      return bytes;
    }
    Log.info(
        "no beamline.stream.media-jwt.secret: media JWTs use a random key of this instance only");
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }
}
