package io.beamline.token.authorize;

import io.beamline.events.token.TokenKind;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every publish and subscribe token and every account's geo defaults, in memory, so that a decision
 * never waits for the database. Reads are lock-free; the loader and the token-event listener write.
 */
@ApplicationScoped
public class TokenIndex {

  private final Map<String, TokenRules> bySecret = new ConcurrentHashMap<>(1 << 16);
  private final TokenSlots byId = new TokenSlots();
  private final Map<String, CountryRule> accountCountries = new ConcurrentHashMap<>();

  /** Publish tokens with {@code subscribeRequiresAuth}, per account: what makes a stream secure. */
  private final Map<String, Map<Long, TokenRules>> securedPublishers = new ConcurrentHashMap<>();

  /** Revision at which a token was deleted, so that a stale reload cannot resurrect it. */
  private final Map<Long, Long> removedAt = new ConcurrentHashMap<>();

  private volatile boolean loaded;

  /** The token whose secret is {@code secret}, or null. */
  public TokenRules bySecret(String secret) {
    return secret == null ? null : bySecret.get(secret);
  }

  public TokenRules get(TokenRef ref) {
    return ofKind(byId.get(ref.id()), ref.kind());
  }

  public TokenRules publish(long id) {
    return ofKind(byId.get(id), TokenKind.PUBLISH_TOKEN);
  }

  public TokenRules subscribe(long id) {
    return ofKind(byId.get(id), TokenKind.SUBSCRIBE_TOKEN);
  }

  private static TokenRules ofKind(TokenRules rules, TokenKind kind) {
    return rules != null && rules.ref().kind() == kind ? rules : null;
  }

  /** The account's own geo-fence, or null when it has none. */
  public CountryRule accountCountries(String accountId) {
    return accountId == null ? null : accountCountries.get(accountId);
  }

  /**
   * Whether an active, unexpired publish token of the account that covers {@code streamName}
   * requires viewers to hold a subscribe token; used when the caller does not say which token
   * publishes the stream.
   */
  public boolean streamRequiresAuth(String accountId, String streamName, long nowMillis) {
    Map<Long, TokenRules> secured = accountId == null ? null : securedPublishers.get(accountId);
    if (secured == null) {
      return false;
    }
    for (TokenRules rules : secured.values()) {
      if (rules.definition().active()
          && !rules.expiredAt(nowMillis)
          && rules.streams().matches(streamName)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Adds or replaces a token (by kind and id), dropping the mapping of a regenerated secret, unless
   * what is held already is newer (reloads may race: a CDI observer and the event listener).
   */
  public synchronized void put(TokenRules rules) {
    long revision = rules.definition().revision();
    TokenRules held = get(rules.ref());
    Long removed = removedAt.get(rules.ref().id());
    if ((held != null && held.definition().revision() > revision)
        || (removed != null && removed > revision)) {
      return;
    }
    removedAt.remove(rules.ref().id());
    TokenRules old = byId.put(rules);
    if (old != null && !old.definition().secret().equals(rules.definition().secret())) {
      bySecret.remove(old.definition().secret(), old);
    }
    bySecret.put(rules.definition().secret(), rules);
    TokenDefinition definition = rules.definition();
    if (definition.kind() == TokenKind.PUBLISH_TOKEN) {
      Map<Long, TokenRules> secured =
          securedPublishers.computeIfAbsent(definition.accountId(), a -> new ConcurrentHashMap<>());
      if (definition.subscribeRequiresAuth()) {
        secured.put(definition.id(), rules);
      } else {
        secured.remove(definition.id());
      }
    }
  }

  /** Forgets a deleted token; a read older than {@code revision} cannot bring it back. */
  public synchronized void remove(TokenRef ref, long revision) {
    removedAt.merge(ref.id(), revision, Math::max);
    TokenRules old = get(ref);
    if (old == null) {
      return;
    }
    byId.remove(ref.id());
    bySecret.remove(old.definition().secret(), old);
    if (ref.kind() == TokenKind.PUBLISH_TOKEN) {
      Map<Long, TokenRules> secured = securedPublishers.get(old.accountId());
      if (secured != null) {
        secured.remove(ref.id());
      }
    }
  }

  /** Sets or clears (null) an account's geo defaults. */
  public void putAccountCountries(String accountId, CountryRule rule) {
    if (rule == null) {
      accountCountries.remove(accountId);
    } else {
      accountCountries.put(accountId, rule);
    }
  }

  public synchronized int size() {
    return byId.size();
  }

  public boolean loaded() {
    return loaded;
  }

  public void markLoaded() {
    loaded = true;
  }
}
