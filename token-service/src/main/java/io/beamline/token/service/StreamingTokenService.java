package io.beamline.token.service;

import io.beamline.events.Topics;
import io.beamline.events.token.TokenCreatedEvent;
import io.beamline.events.token.TokenRevokedEvent;
import io.beamline.events.token.TokenUpdatedEvent;
import io.beamline.platform.outbox.OutboxWriter;
import io.beamline.token.StreamingToken;
import io.beamline.token.StreamingTokenKind;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Creates, reads, changes, disables and deletes an account's publish and subscribe tokens; every
 * change is announced through the outbox in the same transaction, with a growing revision.
 */
@ApplicationScoped
public class StreamingTokenService {

  /** Revocation reasons of {@code token-revoked} for streaming tokens. */
  public static final String DISABLED = "disabled";

  public static final String DELETED = "deleted";
  public static final String REGENERATED = "regenerated";
  public static final String EXPIRED = "expired";

  /**
   * Outcome of a bulk disable.
   *
   * @param successfulTokens ids now disabled (including those that already were)
   * @param failedTokens ids that could not be disabled, with why
   */
  public record BulkResult(List<Long> successfulTokens, List<FailedToken> failedTokens) {}

  /**
   * One id a bulk operation could not apply to.
   *
   * @param tokenId the id as sent
   * @param errorMessage why
   */
  public record FailedToken(long tokenId, String errorMessage) {}

  private final EntityManager entityManager;
  private final TokenSecrets secrets;
  private final TokenRequestFields fields;
  private final StreamingTokenQueries queries;
  private final OutboxWriter outbox;
  private final Event<TokenChanged> changed;

  public StreamingTokenService(
      EntityManager entityManager,
      TokenSecrets secrets,
      TokenRequestFields fields,
      StreamingTokenQueries queries,
      OutboxWriter outbox,
      Event<TokenChanged> changed) {
    this.entityManager = entityManager;
    this.secrets = secrets;
    this.fields = fields;
    this.queries = queries;
    this.outbox = outbox;
    this.changed = changed;
  }

  /** Creates a token from a validated request; {@code present} names the fields sent. */
  @Transactional
  public StreamingToken create(
      String accountId, StreamingTokenKind kind, TokenRequest request, Set<String> present) {
    Instant now = now();
    TokenRules.Errors errors = new TokenRules.Errors();
    TokenState state = new TokenState();
    if (!present.contains("label")) {
      errors.add("label", "must not be blank");
    }
    if (!present.contains("streams")) {
      errors.add(
          "streams",
          "at least one entry is needed; {\"streamName\":\".*\",\"isRegex\":true} allows any");
    }
    fields.apply(state, request, present, kind, true, now, errors);
    TokenRequestFields.validateWhole(state, present, errors);
    errors.throwIfAny();

    StreamingToken token = new StreamingToken();
    token.kind = kind;
    token.accountId = accountId;
    token.addedOn = now;
    token.updatedAt = now;
    token.revision = 1;
    state.writeTo(token);
    secrets.setSecret(token, secrets.newSecret());
    secrets.setRestream(token, state.restream);
    entityManager.persist(token);
    entityManager.flush();
    outbox.append(
        Topics.TOKEN_CREATED,
        accountId,
        new TokenCreatedEvent(
            UUID.randomUUID(),
            accountId,
            now,
            token.id,
            token.revision,
            kind.eventKind(),
            token.label,
            token.isActive,
            token.expiresOn,
            null,
            token.trackingId),
        accountId);
    changed.fire(new TokenChanged(token.id, kind, accountId));
    Log.infof("%s %d created for account %s", kind.displayName(), token.id, accountId);
    return token;
  }

  /**
   * The token {@code id} of this account and kind, its row locked until the transaction ends, so
   * that concurrent changes of one token apply one after the other and its revisions never repeat.
   */
  private StreamingToken getForUpdate(String accountId, StreamingTokenKind kind, long id) {
    return queries.find(accountId, kind, id, LockModeType.PESSIMISTIC_WRITE);
  }

  /**
   * Applies a v2 update: absent fields keep their value, {@code null} clears a nullable one. A
   * disable publishes {@code token-revoked} (disabled); {@code refreshToken} publishes {@code
   * token-revoked} (regenerated: the old secret is dead) followed by {@code token-updated} with
   * {@code token} among the changed fields (the token lives on with its new secret).
   */
  @Transactional
  public StreamingToken update(
      String accountId,
      StreamingTokenKind kind,
      long id,
      TokenRequest request,
      Set<String> present) {
    StreamingToken token = getForUpdate(accountId, kind, id);
    Instant now = now();
    TokenState before = TokenState.of(token, secrets.restream(token));
    TokenState after = TokenState.of(token, secrets.restream(token));
    TokenRules.Errors errors = new TokenRules.Errors();
    fields.apply(after, request, present, kind, false, now, errors);
    boolean refresh = false;
    if (present.contains("refreshToken")) {
      if (request.refreshToken() == null) {
        errors.add("refreshToken", "must be true or false");
      } else {
        refresh = request.refreshToken();
      }
    }
    TokenRequestFields.validateWhole(after, present, errors);
    errors.throwIfAny();

    List<String> changedFields = after.changedFrom(before);
    boolean disabled = before.isActive && !after.isActive;
    after.writeTo(token);
    if (changedFields.contains("restream")) {
      secrets.setRestream(token, after.restream);
    }
    if (refresh) {
      secrets.setSecret(token, secrets.newSecret());
    }
    if (changedFields.isEmpty() && !refresh) {
      return token;
    }
    token.updatedAt = now;
    if (refresh) {
      revoked(token, REGENERATED, now);
    }
    List<String> updatedFields = new ArrayList<>(changedFields);
    if (disabled) {
      updatedFields.remove("isActive");
    }
    if (refresh) {
      updatedFields.add("token");
    }
    if (!updatedFields.isEmpty()) {
      token.revision++;
      outbox.append(
          Topics.TOKEN_UPDATED,
          accountId,
          new TokenUpdatedEvent(
              UUID.randomUUID(),
              accountId,
              now,
              token.id,
              token.revision,
              kind.eventKind(),
              token.label,
              token.isActive,
              token.expiresOn,
              null,
              token.trackingId,
              updatedFields),
          accountId);
    }
    if (disabled) {
      // After the update event, so the highest revision says "disabled".
      revoked(token, DISABLED, now);
    }
    changed.fire(new TokenChanged(token.id, kind, accountId));
    Log.infof("%s %d of account %s updated: %s", kind.displayName(), id, accountId, updatedFields);
    return token;
  }

  /**
   * Disables each listed token of this account; ids that are unknown here are reported per token
   * and do not stop the others.
   */
  @Transactional
  public BulkResult disable(String accountId, StreamingTokenKind kind, List<Long> ids) {
    List<Long> ok = new ArrayList<>();
    List<FailedToken> failed = new ArrayList<>();
    Instant now = now();
    // Ascending order: two bulk requests lock shared rows in the same order and cannot deadlock.
    java.util.TreeSet<Long> sorted = new java.util.TreeSet<>();
    for (Long id : ids) {
      if (id == null) {
        failed.add(new FailedToken(0, "null is not a token id"));
      } else {
        sorted.add(id);
      }
    }
    for (Long id : sorted) {
      StreamingToken token =
          entityManager.find(StreamingToken.class, id, LockModeType.PESSIMISTIC_WRITE);
      if (token == null
          || token.kind != kind
          || token.deletedAt != null
          || !token.accountId.equals(accountId)) {
        failed.add(new FailedToken(id, kind.displayName() + " " + id + " not found"));
        continue;
      }
      if (token.isActive) {
        token.isActive = false;
        token.updatedAt = now;
        revoked(token, DISABLED, now);
        changed.fire(new TokenChanged(token.id, kind, accountId));
      }
      ok.add(token.id);
    }
    Log.infof(
        "%ss of account %s disabled: %s, failed: %d",
        kind.displayName(), accountId, ok, failed.size());
    return new BulkResult(ok, failed);
  }

  /** Deletes a token: it stops working at once and its live sessions are told to end. */
  @Transactional
  public void delete(String accountId, StreamingTokenKind kind, long id) {
    StreamingToken token = getForUpdate(accountId, kind, id);
    Instant now = now();
    token.deletedAt = now;
    // Nothing will push to these targets again; keep no partner credentials longer than needed.
    token.restreamSealed = null;
    token.restreamEnabled = false;
    token.updatedAt = now;
    revoked(token, DELETED, now);
    changed.fire(new TokenChanged(token.id, kind, accountId));
    Log.infof("%s %d of account %s deleted", kind.displayName(), id, accountId);
  }

  /**
   * Publishes {@code token-revoked} (expired) once for each token whose expiry has passed, at most
   * {@code batch} per call; several instances may run it at once (rows are locked, skipped).
   *
   * @return how many tokens were announced
   */
  @Transactional
  @SuppressWarnings("unchecked")
  public int announceExpired(Instant now, int batch) {
    List<StreamingToken> expired =
        entityManager
            .createNativeQuery(
                "SELECT * FROM streaming_token WHERE expires_on <= :now AND NOT expiry_announced"
                    + " AND deleted_at IS NULL ORDER BY expires_on LIMIT :batch"
                    + " FOR UPDATE SKIP LOCKED",
                StreamingToken.class)
            .setParameter("now", now)
            .setParameter("batch", batch)
            .getResultList();
    for (StreamingToken token : expired) {
      token.expiryAnnounced = true;
      token.updatedAt = now;
      revoked(token, EXPIRED, now);
      changed.fire(new TokenChanged(token.id, token.kind, token.accountId));
    }
    if (!expired.isEmpty()) {
      Log.infof("announced the expiry of %d tokens", expired.size());
    }
    return expired.size();
  }

  private void revoked(StreamingToken token, String reason, Instant now) {
    token.revision++;
    outbox.append(
        Topics.TOKEN_REVOKED,
        token.accountId,
        new TokenRevokedEvent(
            UUID.randomUUID(),
            token.accountId,
            now,
            token.id,
            token.revision,
            token.kind.eventKind(),
            token.label,
            reason,
            token.expiresOn),
        token.accountId);
  }

  /** Millisecond precision: what PostgreSQL stores (micro) and JSON shows agree. */
  static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }
}
