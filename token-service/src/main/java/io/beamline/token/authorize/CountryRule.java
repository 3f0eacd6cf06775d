package io.beamline.token.authorize;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * A geo-fence: either an allow-list or a deny-list of ISO-3166 alpha-2 country codes (the reference
 * lets a token or an account use only one of them).
 */
public record CountryRule(Set<String> allowed, Set<String> denied) {

  /**
   * Rules are immutable: tokens with the same lists share one (fewer cache misses per decision).
   */
  private static final Map<CountryRule, CountryRule> SHARED = new ConcurrentHashMap<>();

  /** The rule, or null when both lists are empty (no geo-fence here: inherit one). */
  public static CountryRule of(List<String> allowed, List<String> denied) {
    Set<String> allow = normalise(allowed);
    Set<String> deny = normalise(denied);
    if (allow.isEmpty() && deny.isEmpty()) {
      return null;
    }
    CountryRule rule = new CountryRule(allow, deny);
    CountryRule held = SHARED.get(rule);
    if (held != null) {
      return held;
    }
    Interning.put(SHARED, rule, rule);
    return rule;
  }

  private static Set<String> normalise(List<String> codes) {
    if (codes == null) {
      return Set.of();
    }
    return codes.stream()
        .filter(c -> c != null && !c.isBlank())
        .map(c -> c.trim().toUpperCase(Locale.ROOT))
        .collect(Collectors.toUnmodifiableSet());
  }

  /**
   * Whether a viewer from {@code country} (null = unknown, e.g. a private address) may watch: an
   * allow-list refuses unknown countries, a deny-list lets them through.
   */
  public boolean allows(String country) {
    if (!allowed.isEmpty()) {
      return country != null && allowed.contains(country);
    }
    return country == null || !denied.contains(country);
  }

  @Override
  public String toString() {
    return allowed.isEmpty() ? "deniedCountries " + denied : "allowedCountries " + allowed;
  }
}
