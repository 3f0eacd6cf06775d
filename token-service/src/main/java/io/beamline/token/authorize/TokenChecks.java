package io.beamline.token.authorize;

import inet.ipaddr.IPAddress;

/** The checks of a token's own rules: active and unexpired, stream name, origin, address. */
final class TokenChecks {

  private TokenChecks() {}

  static void activeAndUnexpired(TokenRules token, long now, DecisionRun run) {
    long id = token.definition().id();
    if (token.definition().active()) {
      run.pass("active", () -> "token " + id + " is active");
    } else {
      run.fail("active", Reason.TOKEN_DISABLED, "token " + id + " is disabled");
    }
    if (token.expiredAt(now)) {
      run.fail(
          "expiry",
          Reason.TOKEN_EXPIRED,
          "token " + id + " expired at " + token.definition().expiresOn());
    } else {
      run.pass(
          "expiry",
          () ->
              token.definition().expiresOn() == null
                  ? "token " + id + " never expires"
                  : "token " + id + " valid until " + token.definition().expiresOn());
    }
  }

  static void stream(TokenRules token, String streamName, DecisionRun run) {
    if (token.streams().matches(streamName)) {
      run.pass("stream", () -> "stream " + streamName + " is covered by the token");
    } else {
      run.fail(
          "stream",
          Reason.STREAM_NOT_ALLOWED,
          "stream "
              + streamName
              + " matches none of token "
              + token.definition().id()
              + "'s stream names");
    }
  }

  static void origin(OriginMatcher origins, String origin, DecisionRun run) {
    if (!origins.restricts()) {
      run.pass("origin", () -> "any origin allowed");
    } else if (origins.allows(origin)) {
      run.pass("origin", () -> "origin " + origin + " allowed");
    } else {
      run.fail(
          "origin",
          Reason.ORIGIN_NOT_ALLOWED,
          origin == null || origin.isBlank()
              ? "the token allows only listed origins and the request has none"
              : "origin " + origin + " is not in the token's allowed origins");
    }
  }

  static void ip(IpMatcher ips, IPAddress client, DecisionRun run) {
    if (!ips.restricts()) {
      run.pass("ip", () -> "any address allowed");
    } else if (ips.allows(client)) {
      run.pass("ip", () -> "address " + client + " allowed");
    } else {
      run.fail(
          "ip",
          Reason.IP_NOT_ALLOWED,
          "address " + client + " is not in the token's allowed addresses");
    }
  }
}
