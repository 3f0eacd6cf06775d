package io.beamline.token.authorize;

import inet.ipaddr.IPAddress;

/** The geo-fence check: the token's country rules, else its publish token's, else the account's. */
final class CountryChecks {

  private final TokenIndex index;
  private final CountryLookup geo;

  CountryChecks(TokenIndex index, CountryLookup geo) {
    this.index = index;
    this.geo = geo;
  }

  /**
   * Checks the geo-fence: the token's own rules, else the stream's publish token's, else the
   * account's. Returns the client's country when known.
   */
  String check(
      CountryRule tokenRule,
      TokenRules publisher,
      String accountId,
      IPAddress client,
      DecisionRun run) {
    CountryRule rule = tokenRule;
    String source = "token";
    if (rule == null && publisher != null && publisher.countries() != null) {
      rule = publisher.countries();
      source = "publish token " + publisher.definition().id();
    }
    if (rule == null) {
      rule = index.accountCountries(accountId);
      source = "account";
    }
    String country = of(client);
    if (rule == null) {
      run.pass("country", () -> "no country rules");
    } else if (!geo.available()) {
      run.fail(
          "country",
          Reason.GEOIP_UNAVAILABLE,
          "the " + source + " has country rules but no GeoIP database is loaded");
    } else if (rule.allows(country)) {
      String by = source;
      CountryRule allowing = rule;
      run.pass("country", () -> "country " + country + " allowed by the " + by + "'s " + allowing);
    } else {
      run.fail(
          "country",
          Reason.COUNTRY_DENIED,
          "country "
              + (country == null ? "unknown" : country)
              + " is refused by the "
              + source
              + "'s "
              + rule);
    }
    return country;
  }

  String of(IPAddress client) {
    return geo.available() ? geo.country(client) : null;
  }
}
