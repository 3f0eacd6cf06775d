package io.beamline.token.service;

import io.beamline.events.Topics;
import io.beamline.events.token.TokenCreatedEvent;
import io.beamline.events.token.TokenKind;
import io.beamline.events.token.TokenRevokedEvent;
import io.beamline.platform.auth.ApiKeyRevocations;
import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.outbox.OutboxWriter;
import io.beamline.platform.problem.ApiProblemException;
import io.beamline.token.ApiKey;
import io.beamline.token.config.ApiKeysConfig;
import io.quarkus.logging.Log;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Issues, lists, rotates and revokes an account's API keys, announcing each change as an event. */
@ApplicationScoped
public class ApiKeyService {

  private final EntityManager entityManager;
  private final SigningKeys signingKeys;
  private final OutboxWriter outbox;
  private final ApiKeyRevocations revocations;
  private final ApiKeysConfig config;
  private final String issuer;

  public ApiKeyService(
      EntityManager entityManager,
      SigningKeys signingKeys,
      OutboxWriter outbox,
      ApiKeyRevocations revocations,
      ApiKeysConfig config,
      @ConfigProperty(name = "mp.jwt.verify.issuer") String issuer) {
    this.entityManager = entityManager;
    this.signingKeys = signingKeys;
    this.outbox = outbox;
    this.revocations = revocations;
    this.config = config;
    this.issuer = issuer;
  }

  /**
   * Issues a key for {@code accountId}. A caller can only hand out scopes it holds itself, so a key
   * can never be used to mint a more powerful one.
   */
  @Transactional
  public IssuedKey issue(
      String accountId,
      String label,
      List<String> scopes,
      Instant expiresOn,
      Set<String> callerScopes) {
    Set<String> requested = new LinkedHashSet<>(scopes);
    for (String scope : requested) {
      if (!ApiScopes.ALL.contains(scope)
          && !ApiScopes.PLATFORM_ADMIN.equals(scope)
          && !ApiScopes.PLATFORM_INTERNAL.equals(scope)) {
        throw ApiProblemException.badRequest(
            "unknown_scope", "scopes: unknown scope '" + scope + "', known: " + ApiScopes.ALL);
      }
      if (callerScopes != null && !callerScopes.contains(scope)) {
        throw new ApiProblemException(
            403,
            "Forbidden",
            "scope_not_held",
            "scopes: this API key cannot grant '" + scope + "', which it does not hold");
      }
    }
    Instant now = Instant.now();
    Instant expiry = expiresOn != null ? expiresOn : now.plus(config.defaultLifetime());
    if (!expiry.isAfter(now)) {
      throw ApiProblemException.badRequest("invalid_expiry", "expiresOn: must be in the future");
    }
    if (expiry.isAfter(now.plus(config.maxLifetime()))) {
      throw ApiProblemException.badRequest(
          "invalid_expiry",
          "expiresOn: at most " + config.maxLifetime().toDays() + " days from now");
    }
    SigningKeys.ActiveKey signer = signingKeys.active();
    ApiKey key = new ApiKey();
    key.accountId = accountId;
    key.label = label;
    key.scopes = String.join(" ", requested);
    key.signingKeyId = signer.kid();
    key.createdAt = now;
    key.expiresAt = expiry;
    key.revision = 1;
    entityManager.persist(key);
    entityManager.flush();
    String jwt =
        Jwt.issuer(issuer)
            .subject(accountId)
            .claim("jti", Long.toString(key.id))
            .upn(label)
            .groups(requested)
            .issuedAt(now)
            .expiresAt(expiry)
            .jws()
            .keyId(signer.kid())
            .algorithm(SignatureAlgorithm.RS256)
            .sign(signer.privateKey());
    outbox.append(
        Topics.TOKEN_CREATED,
        accountId,
        new TokenCreatedEvent(
            UUID.randomUUID(),
            accountId,
            now,
            key.id,
            key.revision,
            TokenKind.API_KEY,
            label,
            true,
            expiry,
            new ArrayList<>(requested),
            null),
        accountId);
    Log.infof("API key %d issued for account %s (%s)", key.id, accountId, key.scopes);
    return new IssuedKey(key, jwt);
  }

  @Transactional
  public List<ApiKey> list(String accountId, int page, int itemsOnPage) {
    return entityManager
        .createQuery("from ApiKey where accountId = :account order by id", ApiKey.class)
        .setParameter("account", accountId)
        .setFirstResult((page - 1) * itemsOnPage)
        .setMaxResults(itemsOnPage)
        .getResultList();
  }

  @Transactional
  public long count(String accountId) {
    return entityManager
        .createQuery("select count(k) from ApiKey k where k.accountId = :account", Long.class)
        .setParameter("account", accountId)
        .getSingleResult();
  }

  /** The key {@code id} of {@code accountId}; another account's key is reported as not found. */
  @Transactional
  public ApiKey get(String accountId, long id) {
    ApiKey key = entityManager.find(ApiKey.class, id);
    if (key == null || !key.accountId.equals(accountId)) {
      throw ApiProblemException.notFound("API key", Long.toString(id));
    }
    return key;
  }

  /** Revokes a key; every service refuses it once the {@code token-revoked} event reaches it. */
  public ApiKey revoke(String accountId, long id, String reason) {
    ApiKey key = revokeInTransaction(accountId, id, reason);
    // This instance refuses it at once; the others within a poll of the revocation topic.
    revocations.revoke(Long.toString(key.id), key.expiresAt);
    return key;
  }

  /** Issues a replacement with the same label, scopes and lifetime, and revokes the old key. */
  public IssuedKey rotate(String accountId, long id, Set<String> callerScopes) {
    IssuedKey replacement = rotateInTransaction(accountId, id, callerScopes);
    revocations.revoke(Long.toString(id), get(accountId, id).expiresAt);
    return replacement;
  }

  @Transactional
  IssuedKey rotateInTransaction(String accountId, long id, Set<String> callerScopes) {
    ApiKey old = get(accountId, id);
    if (old.revokedAt != null) {
      throw ApiProblemException.conflict("api_key_revoked", "API key " + id + " is revoked");
    }
    Instant now = Instant.now();
    var lifetime = java.time.Duration.between(old.createdAt, old.expiresAt);
    IssuedKey replacement =
        issue(accountId, old.label, old.scopeList(), now.plus(lifetime), callerScopes);
    old.replacedBy = replacement.record().id;
    markRevoked(old, "rotated", now);
    return replacement;
  }

  @Transactional
  ApiKey revokeInTransaction(String accountId, long id, String reason) {
    ApiKey key = get(accountId, id);
    if (key.revokedAt == null) {
      markRevoked(key, reason, Instant.now());
    }
    return key;
  }

  private void markRevoked(ApiKey key, String reason, Instant now) {
    key.revokedAt = now;
    key.revokeReason = reason;
    key.revision++;
    outbox.append(
        Topics.TOKEN_REVOKED,
        key.accountId,
        new TokenRevokedEvent(
            UUID.randomUUID(),
            key.accountId,
            now,
            key.id,
            key.revision,
            TokenKind.API_KEY,
            key.label,
            reason,
            key.expiresAt),
        key.accountId);
    Log.infof("API key %d of account %s revoked (%s)", key.id, key.accountId, reason);
  }
}
