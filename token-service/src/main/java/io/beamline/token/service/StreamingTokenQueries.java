package io.beamline.token.service;

import io.beamline.platform.problem.ApiProblemException;
import io.beamline.token.StreamingToken;
import io.beamline.token.StreamingTokenKind;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Locale;

/** Reads an account's publish and subscribe tokens: one by id, pages, and searches by name. */
@ApplicationScoped
public class StreamingTokenQueries {

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

  private final EntityManager entityManager;

  public StreamingTokenQueries(EntityManager entityManager) {
    this.entityManager = entityManager;
  }

  /** The token {@code id} of this account and kind; others (and deleted ones) are not found. */
  @Transactional
  public StreamingToken get(String accountId, StreamingTokenKind kind, long id) {
    return find(accountId, kind, id, LockModeType.NONE);
  }

  /** The token, locked as {@code lock} says; unknown, deleted or another account's: 404. */
  StreamingToken find(String accountId, StreamingTokenKind kind, long id, LockModeType lock) {
    StreamingToken token = entityManager.find(StreamingToken.class, id, lock);
    if (token == null
        || token.kind != kind
        || token.deletedAt != null
        || !token.accountId.equals(accountId)) {
      throw ApiProblemException.notFound(kind.displayName(), Long.toString(id));
    }
    return token;
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
}
