package io.beamline.syndication.service;

import io.beamline.platform.problem.ApiProblemException;
import io.beamline.platform.problem.Problem;
import io.beamline.syndication.StreamState;
import io.beamline.syndication.StreamTarget;
import io.beamline.syndication.config.SyndicationConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The restream targets of an account's streams: validation (URL scheme, key length, SSRF guard,
 * per-stream cap), storage, and a sync of the stream's jobs when it is live.
 */
@ApplicationScoped
public class TargetService {

  private static final Set<String> SCHEMES = Set.of("rtmp", "rtmps", "srt");
  private static final int MAX_NAME = 128;

  private final EntityManager em;
  private final TargetAddressGuard guard;
  private final RestreamPlanner planner;
  private final SyndicationConfig config;
  private final TargetKeys keys;

  public TargetService(
      EntityManager em,
      TargetAddressGuard guard,
      RestreamPlanner planner,
      SyndicationConfig config,
      TargetKeys keys) {
    this.em = em;
    this.guard = guard;
    this.planner = planner;
    this.config = config;
    this.keys = keys;
  }

  /**
   * Fields of a target; on update a null field keeps its value.
   *
   * @param streamName stream the target belongs to (create only)
   * @param url {@code rtmp://}, {@code rtmps://} or {@code srt://} URL with host (and port)
   * @param key stream key (RTMP) or stream id (SRT), 5 to 512 characters
   * @param label display name, at most 2048 characters
   * @param enabled whether the target is used (default true)
   */
  public record TargetFields(
      String streamName, String url, String key, String label, Boolean enabled) {}

  public StreamTarget create(String accountId, TargetFields f) {
    List<Problem.FieldError> errors = new ArrayList<>();
    if (f == null) {
      throw new InvalidTargetException(
          List.of(new Problem.FieldError("request", "a JSON body is required")));
    }
    String streamName = f.streamName() == null ? null : f.streamName().strip();
    if (streamName == null
        || streamName.isEmpty()
        || streamName.length() > MAX_NAME
        || streamName.contains("/")
        || hasControl(streamName)) {
      errors.add(
          new Problem.FieldError(
              "streamName", "must be 1 to " + MAX_NAME + " printable characters without /"));
    }
    validateUrl(f.url(), true, errors);
    validateKey(f.key(), true, errors);
    validateLabel(f.label(), errors);
    if (!errors.isEmpty()) {
      throw new InvalidTargetException(errors);
    }
    StreamTarget target =
        QuarkusTransaction.requiringNew().call(() -> store(accountId, streamName, f));
    planner.sync(streamId(accountId, streamName));
    return target;
  }

  private StreamTarget store(String accountId, String streamName, TargetFields f) {
    long count =
        em.createQuery(
                "select count(t) from StreamTarget t where t.accountId = :a and t.streamName = :s",
                Long.class)
            .setParameter("a", accountId)
            .setParameter("s", streamName)
            .getSingleResult();
    if (count >= config.maxTargetsPerStream()) {
      throw new InvalidTargetException(
          List.of(
              new Problem.FieldError(
                  "streamName",
                  "already has "
                      + count
                      + " restream targets; at most "
                      + config.maxTargetsPerStream()
                      + " per stream")));
    }
    Instant now = Instant.now();
    StreamTarget t = new StreamTarget();
    t.id = UUID.randomUUID();
    t.accountId = accountId;
    t.streamName = streamName;
    t.url = f.url().strip();
    keys.put(t, f.key());
    t.label = blankToNull(f.label());
    t.enabled = f.enabled() == null || f.enabled();
    t.createdAt = now;
    t.updatedAt = now;
    em.persist(t);
    return t;
  }

  @Transactional
  public List<StreamTarget> list(String accountId, String streamName) {
    String query =
        "from StreamTarget t where t.accountId = :a"
            + (streamName == null ? "" : " and t.streamName = :s")
            + " order by t.streamName, t.createdAt, t.id";
    var q = em.createQuery(query, StreamTarget.class).setParameter("a", accountId);
    if (streamName != null) {
      q.setParameter("s", streamName);
    }
    return q.setMaxResults(1000).getResultList();
  }

  /** The target, or 404 when it does not exist in this account. */
  @Transactional
  public StreamTarget get(String accountId, UUID id) {
    return find(accountId, id);
  }

  private StreamTarget find(String accountId, UUID id) {
    StreamTarget t = em.find(StreamTarget.class, id);
    if (t == null || !t.accountId.equals(accountId)) {
      throw ApiProblemException.notFound("restream target", id.toString());
    }
    return t;
  }

  public StreamTarget update(String accountId, UUID id, TargetFields f) {
    List<Problem.FieldError> errors = new ArrayList<>();
    if (f == null) {
      throw new InvalidTargetException(
          List.of(new Problem.FieldError("request", "a JSON body is required")));
    }
    if (f.streamName() != null) {
      errors.add(new Problem.FieldError("streamName", "cannot be changed; create a new target"));
    }
    validateUrl(f.url(), false, errors);
    validateKey(f.key(), false, errors);
    validateLabel(f.label(), errors);
    if (!errors.isEmpty()) {
      throw new InvalidTargetException(errors);
    }
    StreamTarget t = QuarkusTransaction.requiringNew().call(() -> change(accountId, id, f));
    planner.sync(streamId(accountId, t.streamName));
    return t;
  }

  private StreamTarget change(String accountId, UUID id, TargetFields f) {
    StreamTarget t = find(accountId, id);
    if (f.url() != null) {
      t.url = f.url().strip();
    }
    if (f.key() != null) {
      keys.put(t, f.key());
    }
    if (f.label() != null) {
      t.label = blankToNull(f.label());
    }
    if (f.enabled() != null) {
      t.enabled = f.enabled();
    }
    t.updatedAt = Instant.now();
    return t;
  }

  public void delete(String accountId, UUID id) {
    String streamName = QuarkusTransaction.requiringNew().call(() -> remove(accountId, id));
    planner.sync(streamId(accountId, streamName));
  }

  private String remove(String accountId, UUID id) {
    StreamTarget t = find(accountId, id);
    em.remove(t);
    return t.streamName;
  }

  /** Whether the account's stream is live now (a sync can apply). */
  @Transactional
  public boolean isLive(String accountId, String streamName) {
    StreamState s = em.find(StreamState.class, streamId(accountId, streamName));
    return s != null && s.live;
  }

  public static String streamId(String accountId, String streamName) {
    return accountId + "/" + streamName;
  }

  private void validateUrl(String url, boolean required, List<Problem.FieldError> errors) {
    if (url == null) {
      if (required) {
        errors.add(new Problem.FieldError("url", "is required"));
      }
      return;
    }
    String value = url.strip();
    if (value.isEmpty() || value.length() > 2048) {
      errors.add(new Problem.FieldError("url", "must be 1 to 2048 characters"));
      return;
    }
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      errors.add(new Problem.FieldError("url", "is not a valid URL"));
      return;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
    if (!SCHEMES.contains(scheme) || uri.getHost() == null) {
      errors.add(
          new Problem.FieldError("url", "must be an rtmp://, rtmps:// or srt:// URL with a host"));
      return;
    }
    if (uri.getUserInfo() != null) {
      errors.add(new Problem.FieldError("url", "must not carry credentials; use key"));
      return;
    }
    try {
      guard.check(value);
    } catch (TargetAddressGuard.BlockedTargetException e) {
      errors.add(new Problem.FieldError("url", e.getMessage()));
    }
  }

  private static void validateKey(String key, boolean required, List<Problem.FieldError> errors) {
    if (key == null) {
      if (required) {
        errors.add(new Problem.FieldError("key", "is required"));
      }
      return;
    }
    if (key.length() < 5
        || key.length() > 512
        || hasControl(key)
        || key.chars().anyMatch(Character::isWhitespace)) {
      errors.add(new Problem.FieldError("key", "must be 5 to 512 characters without spaces"));
    }
  }

  private static void validateLabel(String label, List<Problem.FieldError> errors) {
    if (label != null && label.length() > 2048) {
      errors.add(new Problem.FieldError("label", "must be at most 2048 characters"));
    }
  }

  private static boolean hasControl(String value) {
    return value.chars().anyMatch(Character::isISOControl);
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
