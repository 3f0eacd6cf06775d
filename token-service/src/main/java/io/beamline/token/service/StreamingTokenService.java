package io.beamline.token.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.events.Topics;
import io.beamline.events.token.TokenCreatedEvent;
import io.beamline.events.token.TokenRevokedEvent;
import io.beamline.events.token.TokenUpdatedEvent;
import io.beamline.platform.outbox.OutboxWriter;
import io.beamline.platform.problem.ApiProblemException;
import io.beamline.token.StreamingToken;
import io.beamline.token.StreamingTokenKind;
import io.beamline.token.TokenStream;
import io.beamline.token.config.TokensConfig;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

  /** Sort orders of the list endpoints (reference {@code sortBy}). */
  public enum SortBy {
    Name,
    AddedOn
  }

  /** What {@code list_by_name} compares {@code name} with (reference {@code filterBy}). */
  public enum FilterBy {
    None,
    TokenName,
    StreamName,
    TokenOrStreamName
  }

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
  private final TokenRules rules;
  private final OutboxWriter outbox;
  private final TokensConfig config;
  private final Event<TokenChanged> changed;

  public StreamingTokenService(
      EntityManager entityManager,
      TokenSecrets secrets,
      TokenRules rules,
      OutboxWriter outbox,
      TokensConfig config,
      Event<TokenChanged> changed) {
    this.entityManager = entityManager;
    this.secrets = secrets;
    this.rules = rules;
    this.outbox = outbox;
    this.config = config;
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
    apply(state, request, present, kind, true, now, errors);
    validateWhole(state, present, errors);
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

  /** The token {@code id} of this account and kind; others (and deleted ones) are not found. */
  @Transactional
  public StreamingToken get(String accountId, StreamingTokenKind kind, long id) {
    return find(accountId, kind, id, LockModeType.NONE);
  }

  /**
   * As {@link #get}, locking the row until the transaction ends, so that concurrent changes of one
   * token apply one after the other and its revisions never repeat.
   */
  private StreamingToken getForUpdate(String accountId, StreamingTokenKind kind, long id) {
    return find(accountId, kind, id, LockModeType.PESSIMISTIC_WRITE);
  }

  private StreamingToken find(
      String accountId, StreamingTokenKind kind, long id, LockModeType lock) {
    StreamingToken token = entityManager.find(StreamingToken.class, id, lock);
    if (token == null
        || token.kind != kind
        || token.deletedAt != null
        || !token.accountId.equals(accountId)) {
      throw ApiProblemException.notFound(kind.displayName(), Long.toString(id));
    }
    return token;
  }

  /** One page of the account's tokens of {@code kind}. */
  @Transactional
  public List<StreamingToken> list(
      String accountId,
      StreamingTokenKind kind,
      int page,
      int itemsOnPage,
      SortBy sortBy,
      boolean descending) {
    return listByName(accountId, kind, null, FilterBy.None, page, itemsOnPage, sortBy, descending);
  }

  /**
   * One page of the account's tokens whose label and/or stream names contain {@code name}, case
   * insensitively ({@link FilterBy#None} with a name compares both).
   */
  @Transactional
  @SuppressWarnings("unchecked")
  public List<StreamingToken> listByName(
      String accountId,
      StreamingTokenKind kind,
      String name,
      FilterBy filterBy,
      int page,
      int itemsOnPage,
      SortBy sortBy,
      boolean descending) {
    String direction = descending ? "DESC" : "ASC";
    String order =
        sortBy == SortBy.Name
            ? "lower(label) " + direction + ", id " + direction
            : "added_on " + direction + ", id " + direction;
    var query =
        entityManager
            .createNativeQuery(
                "SELECT * FROM streaming_token t WHERE "
                    + filterSql(name, filterBy)
                    + " ORDER BY "
                    + order,
                StreamingToken.class)
            .setParameter("account", accountId)
            .setParameter("kind", kind.name())
            .setFirstResult((page - 1) * itemsOnPage)
            .setMaxResults(itemsOnPage);
    if (name != null) {
      query.setParameter("pattern", likePattern(name));
    }
    return query.getResultList();
  }

  /** How many tokens {@link #listByName} would page through. */
  @Transactional
  public long count(String accountId, StreamingTokenKind kind, String name, FilterBy filterBy) {
    var query =
        entityManager
            .createNativeQuery(
                "SELECT count(*) FROM streaming_token t WHERE " + filterSql(name, filterBy))
            .setParameter("account", accountId)
            .setParameter("kind", kind.name());
    if (name != null) {
      query.setParameter("pattern", likePattern(name));
    }
    return ((Number) query.getSingleResult()).longValue();
  }

  private static String filterSql(String name, FilterBy filterBy) {
    String base = "t.account_id = :account AND t.kind = :kind AND t.deleted_at IS NULL";
    if (name == null) {
      return base;
    }
    String label = "lower(t.label) LIKE :pattern ESCAPE '\\'";
    String stream =
        "EXISTS (SELECT 1 FROM jsonb_array_elements(t.streams) s"
            + " WHERE lower(s->>'streamName') LIKE :pattern ESCAPE '\\')";
    return switch (filterBy) {
      case TokenName -> base + " AND " + label;
      case StreamName -> base + " AND " + stream;
      case None, TokenOrStreamName -> base + " AND (" + label + " OR " + stream + ")";
    };
  }

  private static String likePattern(String name) {
    String escaped =
        name.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    return "%" + escaped + "%";
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
    apply(after, request, present, kind, false, now, errors);
    boolean refresh = false;
    if (present.contains("refreshToken")) {
      if (request.refreshToken() == null) {
        errors.add("refreshToken", "must be true or false");
      } else {
        refresh = request.refreshToken();
      }
    }
    validateWhole(after, present, errors);
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

  /** Applies the present fields of {@code request} to {@code state}, validating each. */
  private void apply(
      TokenState state,
      TokenRequest r,
      Set<String> present,
      StreamingTokenKind kind,
      boolean create,
      Instant now,
      TokenRules.Errors errors) {
    if (present.contains("label")) {
      state.label = rules.label(r.label(), "label", errors);
    }
    applyExpiry(state, r, present, now, errors);
    if (present.contains("isActive")) {
      if (r.isActive() == null) {
        errors.add("isActive", "must be true or false");
      } else {
        state.isActive = r.isActive();
      }
    }
    if (present.contains("streams")) {
      state.streams = new ArrayList<>(rules.streams(r.streams(), "streams", errors));
    }
    if (present.contains("addTokenStreams")) {
      for (TokenStream add : rules.streams(r.addTokenStreams(), "addTokenStreams", errors)) {
        if (!state.streams.contains(add)) {
          state.streams.add(add);
        }
      }
    }
    if (present.contains("removeTokenStreams") && r.removeTokenStreams() != null) {
      List<JsonNode> removals = r.removeTokenStreams();
      for (int i = 0; i < removals.size(); i++) {
        JsonNode removal = removals.get(i);
        if (removal != null && removal.isTextual()) {
          String name = removal.asText();
          state.streams.removeIf(s -> s.streamName().equals(name));
        } else if (removal != null
            && removal.isObject()
            && removal.path("streamName").isTextual()) {
          String name = removal.get("streamName").asText();
          JsonNode regex = removal.get("isRegex");
          state.streams.removeIf(
              s ->
                  s.streamName().equals(name)
                      && (regex == null || !regex.isBoolean() || s.isRegex() == regex.asBoolean()));
        } else {
          errors.add(
              "removeTokenStreams[" + i + "]",
              "must be a stream name or {\"streamName\": ..., \"isRegex\": ...}");
        }
      }
    }
    if (present.contains("allowedOrigins")) {
      state.allowedOrigins =
          new ArrayList<>(rules.origins(r.allowedOrigins(), "allowedOrigins", errors));
    }
    if (present.contains("allowedIpAddresses")) {
      state.allowedIpAddresses =
          new ArrayList<>(rules.ipAddresses(r.allowedIpAddresses(), "allowedIpAddresses", errors));
    }
    if (present.contains("bindIpsOnUsage")) {
      state.bindIpsOnUsage = rules.bindIps(r.bindIpsOnUsage(), "bindIpsOnUsage", errors);
    }
    if (present.contains("allowedCountries")) {
      state.allowedCountries =
          new ArrayList<>(rules.countries(r.allowedCountries(), "allowedCountries", errors));
    }
    if (present.contains("deniedCountries")) {
      state.deniedCountries =
          new ArrayList<>(rules.countries(r.deniedCountries(), "deniedCountries", errors));
    }
    if (present.contains("originCluster")) {
      state.originCluster = rules.cluster(r.originCluster(), "originCluster", errors);
    }
    if (kind == StreamingTokenKind.PUBLISH) {
      state.subscribeRequiresAuth =
          bool(
              present,
              "subscribeRequiresAuth",
              r.subscribeRequiresAuth(),
              state.subscribeRequiresAuth,
              errors);
      state.record = bool(present, "record", r.record(), state.record, errors);
      state.multisource = bool(present, "multisource", r.multisource(), state.multisource, errors);
      if (present.contains("priority")) {
        state.priority = r.priority();
      }
      if (present.contains("restream")) {
        state.restream = new ArrayList<>(rules.restream(r.restream(), "restream", errors));
      }
    } else if (create && present.contains("tracking") && r.tracking() != null) {
      state.trackingId = rules.trackingId(r.tracking().trackingId(), "tracking.trackingId", errors);
    }
  }

  private void applyExpiry(
      TokenState state,
      TokenRequest r,
      Set<String> present,
      Instant now,
      TokenRules.Errors errors) {
    Duration max = config.maxLifetime();
    if (r.expires() != null && r.expiresOn() != null) {
      errors.add("expires", "send either expires (seconds from now) or expiresOn, not both");
      return;
    }
    if (present.contains("expires")) {
      if (r.expires() == null) {
        state.expiresOn = null;
      } else if (r.expires() < 1 || r.expires() > max.toSeconds()) {
        errors.add("expires", "must be 1 to " + max.toSeconds() + " seconds (or absent: never)");
      } else {
        state.expiresOn = now.plusSeconds(r.expires());
      }
    }
    if (present.contains("expiresOn")) {
      if (r.expiresOn() == null) {
        state.expiresOn = null;
      } else if (!r.expiresOn().isAfter(now)) {
        errors.add("expiresOn", "must be in the future");
      } else if (r.expiresOn().isAfter(now.plus(max))) {
        errors.add("expiresOn", "must be at most " + max.toDays() + " days from now");
      } else {
        state.expiresOn = r.expiresOn();
      }
    }
  }

  private static boolean bool(
      Set<String> present, String field, Boolean value, boolean current, TokenRules.Errors e) {
    if (!present.contains(field)) {
      return current;
    }
    if (value == null) {
      e.add(field, "must be true or false");
      return current;
    }
    return value;
  }

  /** Rules about the token as a whole, checked on the state after the request. */
  private static void validateWhole(
      TokenState state, Set<String> present, TokenRules.Errors errors) {
    if (state.streams.isEmpty() && !errors.has("streams") && !errors.has("addTokenStreams")) {
      errors.add(
          present.contains("removeTokenStreams") ? "removeTokenStreams" : "streams",
          "a token needs at least one stream entry; {\"streamName\":\".*\",\"isRegex\":true}"
              + " allows any");
    }
    if (!state.allowedIpAddresses.isEmpty() && state.bindIpsOnUsage != null) {
      errors.add(
          present.contains("bindIpsOnUsage") ? "bindIpsOnUsage" : "allowedIpAddresses",
          "allowedIpAddresses and bindIpsOnUsage are mutually exclusive: use one of them");
    }
    if (!state.allowedCountries.isEmpty() && !state.deniedCountries.isEmpty()) {
      errors.add(
          present.contains("deniedCountries") ? "deniedCountries" : "allowedCountries",
          "use only one of allowedCountries and deniedCountries");
    }
  }

  /** Millisecond precision: what PostgreSQL stores (micro) and JSON shows agree. */
  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }
}
