package io.beamline.token.authorize;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token compiled for fast decisions: its definition plus matchers built once, so a decision does
 * no parsing of the token's own rules.
 *
 * <p>With a million tokens a decision's cost is mostly cache misses on the one token it reads, so
 * what many tokens have in common (account id, tracking id, cluster, country rules, origin and
 * address lists) is one shared instance, and the HMAC key is kept as the bytes the MAC needs.
 *
 * @param secretKey the secret as the ASCII bytes that key its self-signed tokens' HMAC
 */
public record TokenRules(
    TokenDefinition definition,
    TokenRef ref,
    long expiresAtMillis,
    byte[] secretKey,
    StreamMatcher streams,
    OriginMatcher origins,
    IpMatcher ips,
    CountryRule countries) {

  /** Strings many tokens repeat (account ids, tracking ids, clusters): one instance each. */
  private static final Map<String, String> SHARED_STRINGS = new ConcurrentHashMap<>();

  /** Origin and address lists many tokens repeat: one instance each. */
  private static final Map<List<String>, List<String>> SHARED_LISTS = new ConcurrentHashMap<>();

  /**
   * Compiles a definition.
   *
   * @throws IllegalArgumentException if a regex or an address range does not compile
   */
  public static TokenRules compile(TokenDefinition stored) {
    TokenDefinition definition = shared(stored);
    return new TokenRules(
        definition,
        definition.ref(),
        definition.expiresOn() == null ? Long.MAX_VALUE : definition.expiresOn().toEpochMilli(),
        definition.secret() == null
            ? null
            : definition.secret().getBytes(StandardCharsets.US_ASCII),
        StreamMatcher.compile(definition.streams()),
        OriginMatcher.compile(definition.allowedOrigins()),
        IpMatcher.compile(definition.allowedIpAddresses()),
        CountryRule.of(definition.allowedCountries(), definition.deniedCountries()));
  }

  /** The definition with its often repeated values replaced by shared instances. */
  private static TokenDefinition shared(TokenDefinition d) {
    return new TokenDefinition(
        d.kind(),
        d.id(),
        d.revision(),
        shared(d.accountId()),
        d.label(),
        d.secret(),
        d.active(),
        d.expiresOn(),
        d.streams(),
        shared(d.allowedOrigins()),
        shared(d.allowedIpAddresses()),
        d.bindIpsOnUsage(),
        shared(d.allowedCountries()),
        shared(d.deniedCountries()),
        shared(d.originCluster()),
        d.subscribeRequiresAuth(),
        d.record(),
        d.multisource(),
        d.priority(),
        shared(d.trackingId()),
        d.restream(),
        d.maxConcurrentViewers(),
        d.singleUseViewerTokens());
  }

  private static String shared(String value) {
    if (value == null) {
      return null;
    }
    String held = SHARED_STRINGS.get(value);
    if (held != null) {
      return held;
    }
    Interning.put(SHARED_STRINGS, value, value);
    return value;
  }

  private static List<String> shared(List<String> values) {
    if (values == null || values.isEmpty()) {
      return values == null ? null : List.of();
    }
    List<String> held = SHARED_LISTS.get(values);
    if (held != null) {
      return held;
    }
    List<String> copy = List.copyOf(values);
    Interning.put(SHARED_LISTS, copy, copy);
    return copy;
  }

  public String accountId() {
    return definition.accountId();
  }

  public boolean expiredAt(long nowMillis) {
    return nowMillis >= expiresAtMillis;
  }
}
