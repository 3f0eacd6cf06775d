package io.beamline.token.authorize;

/**
 * A token compiled for fast decisions: its definition plus matchers built once, so a decision does
 * no parsing of the token's own rules.
 */
public record TokenRules(
    TokenDefinition definition,
    TokenRef ref,
    long expiresAtMillis,
    StreamMatcher streams,
    OriginMatcher origins,
    IpMatcher ips,
    CountryRule countries) {

  /**
   * Compiles a definition.
   *
   * @throws IllegalArgumentException if a regex or an address range does not compile
   */
  public static TokenRules compile(TokenDefinition definition) {
    return new TokenRules(
        definition,
        definition.ref(),
        definition.expiresOn() == null ? Long.MAX_VALUE : definition.expiresOn().toEpochMilli(),
        StreamMatcher.compile(definition.streams()),
        OriginMatcher.compile(definition.allowedOrigins()),
        IpMatcher.compile(definition.allowedIpAddresses()),
        CountryRule.of(definition.allowedCountries(), definition.deniedCountries()));
  }

  public String accountId() {
    return definition.accountId();
  }

  public boolean expiredAt(long nowMillis) {
    return nowMillis >= expiresAtMillis;
  }
}
