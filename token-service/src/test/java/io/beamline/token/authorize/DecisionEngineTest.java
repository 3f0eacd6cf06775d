package io.beamline.token.authorize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import io.beamline.events.token.TokenKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every check and reason of the decision engine, over an in-memory index and a tiny MMDB. */
class DecisionEngineTest {

  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final String ACCOUNT = "ACC1";
  private static final String PUB_SECRET = "a".repeat(64);
  private static final String SUB_SECRET = "b".repeat(64);

  @TempDir static Path dir;
  private static GeoIp geo;

  private TokenIndex index;
  private MemoryGuard guard;
  private DecisionEngine engine;

  @BeforeAll
  static void database() throws Exception {
    Path file = TestMmdb.write(dir.resolve("test-country.mmdb"));
    geo = new GeoIp(() -> Optional.of(file.toString()));
    geo.open(null);
    assertTrue(geo.available(), "the test MMDB must load: " + geo.problem());
  }

  @BeforeEach
  void setUp() {
    index = new TokenIndex();
    guard = new MemoryGuard();
    engine = new DecisionEngine(index, geo, guard, Clock.fixed(NOW, ZoneOffset.UTC));
    index.put(TokenRules.compile(publish(1, PUB_SECRET, d -> d)));
    index.put(TokenRules.compile(subscribe(2, SUB_SECRET, d -> d)));
    index.markLoaded();
  }

  // --- publish ---------------------------------------------------------------------------------

  @Test
  void shouldAllowPublishWithEffectiveSettings() {
    Decision decision = engine.decide(publishRequest(PUB_SECRET, "live", "192.0.2.10"), true);
    assertTrue(decision.allowed(), decision.toString());
    EffectiveSettings s = decision.settings();
    assertEquals(1L, s.tokenId());
    assertEquals("publish", s.tokenType());
    assertEquals(ACCOUNT, s.accountId());
    assertEquals(true, s.record());
    assertEquals(false, s.multisource());
    assertEquals(7, s.priority());
    assertEquals(true, s.restream());
    assertEquals("eu-west", s.originCluster());
    assertEquals("US", s.clientCountry());
  }

  @Test
  void shouldRefusePublishWithoutOrUnknownOrWrongToken() {
    assertDenied(Reason.TOKEN_REQUIRED, publishRequest(null, "live", "192.0.2.10"));
    assertDenied(Reason.TOKEN_NOT_FOUND, publishRequest("c".repeat(64), "live", "192.0.2.10"));
    assertDenied(Reason.TOKEN_WRONG_TYPE, publishRequest(SUB_SECRET, "live", "192.0.2.10"));
    // A token of another account is as unknown as a made-up one.
    AuthorizeRequest otherAccount =
        new AuthorizeRequest("publish", "live", "OTHER", PUB_SECRET, null, "192.0.2.10", null);
    assertEquals(Reason.TOKEN_NOT_FOUND, engine.decide(otherAccount, true).reason());
  }

  @Test
  void shouldRefuseDisabledAndExpiredTokens() {
    index.put(TokenRules.compile(publish(1, PUB_SECRET, d -> d.active(false))));
    assertDenied(Reason.TOKEN_DISABLED, publishRequest(PUB_SECRET, "live", "192.0.2.10"));
    index.put(TokenRules.compile(publish(1, PUB_SECRET, d -> d.expires(NOW.minusSeconds(1)))));
    assertDenied(Reason.TOKEN_EXPIRED, publishRequest(PUB_SECRET, "live", "192.0.2.10"));
    index.put(TokenRules.compile(publish(1, PUB_SECRET, d -> d.expires(NOW.plusSeconds(1)))));
    assertAllowed(publishRequest(PUB_SECRET, "live", "192.0.2.10"));
  }

  @Test
  void shouldMatchStreamNamesExactlyOrByWholeRegex() {
    assertAllowed(publishRequest(PUB_SECRET, "live", "192.0.2.10"));
    assertAllowed(publishRequest(PUB_SECRET, "event-42", "192.0.2.10"));
    assertDenied(Reason.STREAM_NOT_ALLOWED, publishRequest(PUB_SECRET, "event-x", "192.0.2.10"));
    // The regex must match the whole name, not a part of it.
    assertDenied(
        Reason.STREAM_NOT_ALLOWED, publishRequest(PUB_SECRET, "my-event-42", "192.0.2.10"));
    assertDenied(Reason.STREAM_NOT_ALLOWED, publishRequest(PUB_SECRET, "live2", "192.0.2.10"));
  }

  @Test
  void shouldCheckOriginsWithWildcards() {
    index.put(
        TokenRules.compile(
            publish(1, PUB_SECRET, d -> d.origins(List.of("*.example.com", "https://studio.tv")))));
    assertAllowed(
        withOrigin(publishRequest(PUB_SECRET, "live", "192.0.2.10"), "https://a.example.com"));
    assertAllowed(
        withOrigin(
            publishRequest(PUB_SECRET, "live", "192.0.2.10"), "https://x.y.example.com:8443"));
    assertAllowed(withOrigin(publishRequest(PUB_SECRET, "live", "192.0.2.10"), "http://studio.tv"));
    assertDenied(
        Reason.ORIGIN_NOT_ALLOWED,
        withOrigin(publishRequest(PUB_SECRET, "live", "192.0.2.10"), "https://example.com"));
    assertDenied(
        Reason.ORIGIN_NOT_ALLOWED,
        withOrigin(publishRequest(PUB_SECRET, "live", "192.0.2.10"), "https://evil-example.com"));
    assertDenied(Reason.ORIGIN_NOT_ALLOWED, publishRequest(PUB_SECRET, "live", "192.0.2.10"));
  }

  @Test
  void shouldCheckIpv4AndIpv6AddressesAndRanges() {
    index.put(
        TokenRules.compile(
            publish(
                1,
                PUB_SECRET,
                d -> d.ips(List.of("192.0.2.0/25", "198.51.100.7", "2001:db8:1::/48", "::1")))));
    assertAllowed(publishRequest(PUB_SECRET, "live", "192.0.2.127"));
    assertAllowed(publishRequest(PUB_SECRET, "live", "198.51.100.7"));
    assertAllowed(publishRequest(PUB_SECRET, "live", "2001:db8:1:ffff::5"));
    assertAllowed(publishRequest(PUB_SECRET, "live", "::1"));
    // A dual-stack socket's IPv4-mapped form counts as the IPv4 address.
    assertAllowed(publishRequest(PUB_SECRET, "live", "::ffff:192.0.2.5"));
    assertDenied(Reason.IP_NOT_ALLOWED, publishRequest(PUB_SECRET, "live", "192.0.2.128"));
    assertDenied(Reason.IP_NOT_ALLOWED, publishRequest(PUB_SECRET, "live", "198.51.100.8"));
    assertDenied(Reason.IP_NOT_ALLOWED, publishRequest(PUB_SECRET, "live", "2001:db8:2::5"));
  }

  @Test
  void shouldBindAddressesOnFirstUseUpToTheLimit() {
    index.put(TokenRules.compile(publish(1, PUB_SECRET, d -> d.bind(2))));
    AuthorizeRequest first = publishRequest(PUB_SECRET, "live", "192.0.2.1");
    // Binding needs the database: the non-blocking path says so instead of blocking.
    assertThrows(DecisionEngine.NeedsBlocking.class, () -> engine.decide(first, false));
    assertAllowed(first);
    assertAllowed(publishRequest(PUB_SECRET, "live", "2001:db8:1::1"));
    assertDenied(Reason.IP_BINDING_EXCEEDED, publishRequest(PUB_SECRET, "live", "192.0.2.3"));
    // Bound addresses are decided from the cache alone, without the database.
    assertTrue(engine.decide(first, false).allowed());
    assertEquals(Set.of("192.0.2.1", "2001:db8:1::1"), guard.bound.get(1L));
  }

  @Test
  void shouldNotBindAnAddressForARefusedRequest() {
    index.put(TokenRules.compile(publish(1, PUB_SECRET, d -> d.bind(1))));
    assertDenied(Reason.STREAM_NOT_ALLOWED, publishRequest(PUB_SECRET, "other", "192.0.2.1"));
    assertNull(guard.bound.get(1L));
  }

  // --- subscribe with opaque tokens and open streams -------------------------------------------

  @Test
  void shouldAllowOpenStreamWithoutTokenAndRefuseSecuredOne() {
    AuthorizeRequest open = subscribeRequest(null, "live", "192.0.2.10");
    Decision decision = assertAllowed(open);
    assertNull(decision.settings().tokenId());
    index.put(TokenRules.compile(publish(1, PUB_SECRET, d -> d.secured(true))));
    assertDenied(Reason.TOKEN_REQUIRED, open);
    // A secured token for other names leaves this stream open.
    assertAllowed(subscribeRequest(null, "unrelated", "192.0.2.10"));
  }

  @Test
  void shouldAllowSubscribeTokenWithTrackingAndRefuseWrongType() {
    Decision decision = assertAllowed(subscribeRequest(SUB_SECRET, "live", "198.51.100.1"));
    assertEquals(2L, decision.settings().tokenId());
    assertEquals("partner-a", decision.settings().trackingId());
    assertEquals("DE", decision.settings().clientCountry());
    assertDenied(Reason.TOKEN_WRONG_TYPE, subscribeRequest(PUB_SECRET, "live", "198.51.100.1"));
  }

  @Test
  void shouldApplyTokenCountriesElseAccountDefaults() {
    index.putAccountCountries(ACCOUNT, CountryRule.of(List.of(), List.of("FR")));
    assertDenied(Reason.COUNTRY_DENIED, subscribeRequest(SUB_SECRET, "live", "203.0.113.9"));
    assertDenied(Reason.COUNTRY_DENIED, subscribeRequest(SUB_SECRET, "live", "2001:db8:2::9"));
    assertAllowed(subscribeRequest(SUB_SECRET, "live", "198.51.100.9"));
    // The open stream inherits the account's rules too.
    assertDenied(Reason.COUNTRY_DENIED, subscribeRequest(null, "live", "203.0.113.9"));
    // The token's own list overrides the account's.
    index.put(TokenRules.compile(subscribe(2, SUB_SECRET, d -> d.allowed(List.of("FR", "CA")))));
    assertAllowed(subscribeRequest(SUB_SECRET, "live", "203.0.113.9"));
    assertAllowed(subscribeRequest(SUB_SECRET, "live", "10.1.2.3"));
    assertDenied(Reason.COUNTRY_DENIED, subscribeRequest(SUB_SECRET, "live", "10.2.0.1"));
    // An allow-list refuses an address of unknown country.
    assertDenied(Reason.COUNTRY_DENIED, subscribeRequest(SUB_SECRET, "live", "8.8.8.8"));
  }

  @Test
  void shouldApplyThePublishTokensCountriesToItsViewers() {
    index.put(TokenRules.compile(publish(1, PUB_SECRET, d -> d.denied(List.of("DE")))));
    AuthorizeRequest viewer =
        new AuthorizeRequest("subscribe", "live", ACCOUNT, null, null, "198.51.100.1", 1L);
    assertDenied(Reason.COUNTRY_DENIED, viewer);
    Decision other = assertAllowed(withIp(viewer, "192.0.2.1"));
    assertEquals(true, other.settings().record());
  }

  @Test
  void shouldRefuseCountryRulesWithoutGeoIpDatabase() {
    GeoIp none = new GeoIp(Optional::empty);
    none.open(null);
    DecisionEngine blind = new DecisionEngine(index, none, guard, Clock.fixed(NOW, ZoneOffset.UTC));
    index.put(TokenRules.compile(subscribe(2, SUB_SECRET, d -> d.allowed(List.of("DE")))));
    Decision decision = blind.decide(subscribeRequest(SUB_SECRET, "live", "198.51.100.1"), true);
    assertEquals(Reason.GEOIP_UNAVAILABLE, decision.reason());
    // Without country rules the database is not needed.
    index.put(TokenRules.compile(subscribe(2, SUB_SECRET, d -> d)));
    assertTrue(blind.decide(subscribeRequest(SUB_SECRET, "live", "198.51.100.1"), true).allowed());
  }

  @Test
  void shouldCapConcurrentViewers() {
    index.put(TokenRules.compile(subscribe(2, SUB_SECRET, d -> d.maxViewers(2))));
    AuthorizeRequest viewer = subscribeRequest(SUB_SECRET, "live", "198.51.100.1");
    assertEquals(2, assertAllowed(viewer).settings().maxConcurrentViewers());
    guard.live.put(2L, 2);
    assertDenied(Reason.VIEWER_LIMIT_REACHED, viewer);
  }

  @Test
  void shouldRefuseConsumedSingleUseToken() {
    index.put(TokenRules.compile(subscribe(2, SUB_SECRET, d -> d.singleUse(true))));
    AuthorizeRequest viewer = subscribeRequest(SUB_SECRET, "live", "198.51.100.1");
    Decision first = assertAllowed(viewer);
    // Asking again before media started is fine: it is consumed at media start, not here.
    assertAllowed(viewer);
    guard.consumed.add(first.settings().viewerTokenId());
    assertDenied(Reason.TOKEN_ALREADY_USED, viewer);
  }

  // --- self-signed tokens ----------------------------------------------------------------------

  @Test
  void shouldAcceptSelfSignedTokensOfEveryHmacAlgorithm() {
    for (Algorithm alg :
        List.of(
            Algorithm.HMAC256(SUB_SECRET),
            Algorithm.HMAC384(SUB_SECRET),
            Algorithm.HMAC512(SUB_SECRET))) {
      String sst = sst(Map.of(), NOW.plusSeconds(60)).sign(alg);
      Decision decision = assertAllowed(subscribeRequest(sst, "live", "198.51.100.1"));
      assertEquals(2L, decision.settings().tokenId());
      assertEquals(true, decision.settings().selfSigned());
      assertEquals("user=42;app=web", decision.settings().customViewerData());
      assertEquals(NOW.plusSeconds(60), decision.settings().expiresAt());
    }
  }

  @Test
  void shouldRefuseTamperedWrongKeyAndWrongAlgorithmSelfSignedTokens() {
    String sst = sst(Map.of(), NOW.plusSeconds(60)).sign(Algorithm.HMAC256(SUB_SECRET));
    String[] parts = sst.split("\\.");
    String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    String forged =
        parts[0]
            + "."
            + Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(claims.replace("live", "vip").getBytes(StandardCharsets.UTF_8))
            + "."
            + parts[2];
    assertDenied(Reason.INVALID_SIGNATURE, subscribeRequest(forged, "vip", "198.51.100.1"));
    String wrongKey = sst(Map.of(), NOW.plusSeconds(60)).sign(Algorithm.HMAC256("c".repeat(64)));
    assertDenied(Reason.INVALID_SIGNATURE, subscribeRequest(wrongKey, "live", "198.51.100.1"));
    String none = sst(Map.of(), NOW.plusSeconds(60)).sign(Algorithm.none());
    assertDenied(Reason.INVALID_SIGNATURE, subscribeRequest(none, "live", "198.51.100.1"));
    assertDenied(Reason.INVALID_TOKEN, subscribeRequest("a.b.c", "live", "198.51.100.1"));
  }

  @Test
  void shouldRefuseExpiredOrExpiryLessSelfSignedTokensAndCapByParent() {
    String expired = sst(Map.of(), NOW.minusSeconds(1)).sign(Algorithm.HMAC256(SUB_SECRET));
    assertDenied(Reason.TOKEN_EXPIRED, subscribeRequest(expired, "live", "198.51.100.1"));
    String noExp = sst(Map.of(), null).sign(Algorithm.HMAC256(SUB_SECRET));
    assertDenied(Reason.INVALID_TOKEN, subscribeRequest(noExp, "live", "198.51.100.1"));
    // The parent's expiry caps the self-signed token's.
    index.put(TokenRules.compile(subscribe(2, SUB_SECRET, d -> d.expires(NOW.plusSeconds(30)))));
    String longer = sst(Map.of(), NOW.plusSeconds(3600)).sign(Algorithm.HMAC256(SUB_SECRET));
    Decision decision = assertAllowed(subscribeRequest(longer, "live", "198.51.100.1"));
    assertEquals(NOW.plusSeconds(30), decision.settings().expiresAt());
    index.put(TokenRules.compile(subscribe(2, SUB_SECRET, d -> d.expires(NOW.minusSeconds(1)))));
    assertDenied(Reason.TOKEN_EXPIRED, subscribeRequest(longer, "live", "198.51.100.1"));
  }

  @Test
  void shouldRefuseSelfSignedTokenForAnotherStreamOrOfUnknownParent() {
    String sst = sst(Map.of(), NOW.plusSeconds(60)).sign(Algorithm.HMAC256(SUB_SECRET));
    assertDenied(Reason.STREAM_NOT_ALLOWED, subscribeRequest(sst, "event-1", "198.51.100.1"));
    String orphan =
        sst(Map.of("tokenId", 99), NOW.plusSeconds(60)).sign(Algorithm.HMAC256(SUB_SECRET));
    assertDenied(Reason.TOKEN_NOT_FOUND, subscribeRequest(orphan, "live", "198.51.100.1"));
    // A publish token cannot be a parent.
    String fromPublish =
        sst(Map.of("tokenId", 1), NOW.plusSeconds(60)).sign(Algorithm.HMAC256(PUB_SECRET));
    assertDenied(Reason.TOKEN_NOT_FOUND, subscribeRequest(fromPublish, "live", "198.51.100.1"));
  }

  @Test
  void shouldAppendSelfSignedRestrictionsToTheParents() {
    index.put(TokenRules.compile(subscribe(2, SUB_SECRET, d -> d.origins(List.of("player.tv")))));
    String sst =
        sst(
                Map.of(
                    "allowedOrigins", List.of("*.partner.com"),
                    "allowedIpAddresses", List.of("2001:db8:1::/64")),
                NOW.plusSeconds(60))
            .sign(Algorithm.HMAC256(SUB_SECRET));
    AuthorizeRequest request = subscribeRequest(sst, "live", "2001:db8:1::7");
    assertAllowed(withOrigin(request, "https://www.partner.com"));
    assertAllowed(withOrigin(request, "https://player.tv"));
    assertDenied(Reason.ORIGIN_NOT_ALLOWED, withOrigin(request, "https://other.com"));
    assertDenied(
        Reason.IP_NOT_ALLOWED, withOrigin(withIp(request, "2001:db8:2::7"), "https://player.tv"));
  }

  @Test
  void shouldCheckSelfSignedClusterAndTracking() {
    index.put(TokenRules.compile(subscribe(2, SUB_SECRET, d -> d.cluster("eu-west"))));
    String otherCluster =
        sst(Map.of("originCluster", "us-east"), NOW.plusSeconds(60))
            .sign(Algorithm.HMAC256(SUB_SECRET));
    assertDenied(Reason.CLUSTER_NOT_ALLOWED, subscribeRequest(otherCluster, "live", "192.0.2.1"));
    String otherTracking =
        sst(Map.of("tracking", Map.of("trackingId", "partner-b")), NOW.plusSeconds(60))
            .sign(Algorithm.HMAC256(SUB_SECRET));
    assertDenied(Reason.TRACKING_MISMATCH, subscribeRequest(otherTracking, "live", "192.0.2.1"));
    // An untracked parent lets the self-signed token choose.
    index.put(TokenRules.compile(subscribe(2, SUB_SECRET, d -> d.tracking(null))));
    Decision decision = assertAllowed(subscribeRequest(otherTracking, "live", "192.0.2.1"));
    assertEquals("partner-b", decision.settings().trackingId());
  }

  @Test
  void shouldConsumeEachSelfSignedTokenSeparately() {
    index.put(TokenRules.compile(subscribe(2, SUB_SECRET, d -> d.singleUse(true))));
    String one =
        sst(Map.of(), NOW.plusSeconds(60)).withJWTId("v-1").sign(Algorithm.HMAC256(SUB_SECRET));
    String two =
        sst(Map.of(), NOW.plusSeconds(60)).withJWTId("v-2").sign(Algorithm.HMAC256(SUB_SECRET));
    Decision first = assertAllowed(subscribeRequest(one, "live", "192.0.2.1"));
    guard.consumed.add(first.settings().viewerTokenId());
    assertDenied(Reason.TOKEN_ALREADY_USED, subscribeRequest(one, "live", "192.0.2.1"));
    assertAllowed(subscribeRequest(two, "live", "192.0.2.1"));
  }

  // --- explain ---------------------------------------------------------------------------------

  @Test
  void shouldExplainEveryFailedCheckWithoutBinding() {
    index.put(
        TokenRules.compile(
            subscribe(
                2,
                SUB_SECRET,
                d -> d.active(false).origins(List.of("player.tv")).denied(List.of("FR")).bind(1))));
    AuthorizeRequest request =
        withOrigin(subscribeRequest(SUB_SECRET, "nope", "203.0.113.1"), "https://x.com");
    Explanation explanation = engine.explain(request, ACCOUNT);
    assertFalse(explanation.allowed());
    assertEquals(Reason.TOKEN_DISABLED, explanation.reason());
    Map<String, Reason> failed = new LinkedHashMap<>();
    explanation.checks().stream()
        .filter(c -> !c.passed())
        .forEach(c -> failed.put(c.name(), c.reason()));
    assertEquals(
        Map.of(
            "active", Reason.TOKEN_DISABLED,
            "stream", Reason.STREAM_NOT_ALLOWED,
            "origin", Reason.ORIGIN_NOT_ALLOWED,
            "country", Reason.COUNTRY_DENIED),
        failed);
    assertTrue(
        explanation.checks().stream().anyMatch(c -> c.name().equals("ipBinding") && c.passed()));
    assertNull(guard.bound.get(2L), "explaining must not bind the address");
    // Another account's token is invisible.
    assertEquals(
        Reason.TOKEN_NOT_FOUND,
        engine.explain(subscribeRequest(SUB_SECRET, "live", "192.0.2.1"), "OTHER").reason());
  }

  // --- helpers ---------------------------------------------------------------------------------

  private Decision assertAllowed(AuthorizeRequest request) {
    Decision decision = engine.decide(request, true);
    assertTrue(decision.allowed(), () -> "expected allow, got " + decision);
    return decision;
  }

  private void assertDenied(Reason reason, AuthorizeRequest request) {
    Decision decision = engine.decide(request, true);
    assertFalse(decision.allowed(), () -> "expected " + reason + ", got allow " + decision);
    assertEquals(reason, decision.reason(), decision.detail());
    Explanation explanation = engine.explain(request, ACCOUNT);
    assertEquals(reason, explanation.reason(), "explain agrees with the decision");
  }

  private static AuthorizeRequest publishRequest(String token, String stream, String ip) {
    return new AuthorizeRequest("publish", stream, ACCOUNT, token, null, ip, null);
  }

  private static AuthorizeRequest subscribeRequest(String token, String stream, String ip) {
    return new AuthorizeRequest("subscribe", stream, ACCOUNT, token, null, ip, null);
  }

  private static AuthorizeRequest withOrigin(AuthorizeRequest r, String origin) {
    return new AuthorizeRequest(
        r.action(),
        r.streamName(),
        r.accountId(),
        r.token(),
        origin,
        r.clientIp(),
        r.publishTokenId());
  }

  private static AuthorizeRequest withIp(AuthorizeRequest r, String ip) {
    return new AuthorizeRequest(
        r.action(), r.streamName(), r.accountId(), r.token(), r.origin(), ip, r.publishTokenId());
  }

  /** A self-signed token body as the reference describes it, minted with java-jwt. */
  private static JWTCreator.Builder sst(Map<String, Object> overrides, Instant exp) {
    Map<String, Object> streaming = new HashMap<>();
    streaming.put("tokenId", 2);
    streaming.put("tokenType", "Subscribe");
    streaming.put("streamName", "live");
    streaming.put("customViewerData", "user=42;app=web");
    streaming.putAll(overrides);
    JWTCreator.Builder builder = JWT.create().withClaim("streaming", streaming);
    return exp == null ? builder : builder.withExpiresAt(Date.from(exp));
  }

  private static TokenDefinition publish(long id, String secret, UnaryOperator<Def> change) {
    Def d = new Def(TokenKind.PUBLISH_TOKEN, id, secret);
    d.streams = List.of(new StreamRule("live", false), new StreamRule("event-[0-9]+", true));
    return change.apply(d).build();
  }

  private static TokenDefinition subscribe(long id, String secret, UnaryOperator<Def> change) {
    Def d = new Def(TokenKind.SUBSCRIBE_TOKEN, id, secret);
    d.streams = List.of(new StreamRule("live", false), new StreamRule("vip", false));
    d.tracking = "partner-a";
    return change.apply(d).build();
  }

  /** A mutable token definition for tests. */
  static final class Def {
    final TokenKind kind;
    final long id;
    final String secret;
    boolean active = true;
    Instant expires = NOW.plus(Duration.ofDays(1));
    List<StreamRule> streams = List.of();
    List<String> origins = List.of();
    List<String> ips = List.of();
    Integer bind;
    List<String> allowed = List.of();
    List<String> denied = List.of();
    String cluster;
    boolean secured;
    String tracking;
    Integer maxViewers;
    boolean singleUse;

    Def(TokenKind kind, long id, String secret) {
      this.kind = kind;
      this.id = id;
      this.secret = secret;
    }

    Def active(boolean v) {
      active = v;
      return this;
    }

    Def expires(Instant v) {
      expires = v;
      return this;
    }

    Def origins(List<String> v) {
      origins = v;
      return this;
    }

    Def ips(List<String> v) {
      ips = v;
      return this;
    }

    Def bind(Integer v) {
      bind = v;
      return this;
    }

    Def allowed(List<String> v) {
      allowed = v;
      return this;
    }

    Def denied(List<String> v) {
      denied = v;
      return this;
    }

    Def cluster(String v) {
      cluster = v;
      return this;
    }

    Def secured(boolean v) {
      secured = v;
      return this;
    }

    Def tracking(String v) {
      tracking = v;
      return this;
    }

    Def maxViewers(Integer v) {
      maxViewers = v;
      return this;
    }

    Def singleUse(boolean v) {
      singleUse = v;
      return this;
    }

    TokenDefinition build() {
      boolean publish = kind == TokenKind.PUBLISH_TOKEN;
      return new TokenDefinition(
          kind,
          id,
          1,
          ACCOUNT,
          "token " + id,
          secret,
          active,
          expires,
          streams,
          origins,
          ips,
          bind,
          allowed,
          denied,
          publish ? "eu-west" : cluster,
          secured,
          publish,
          !publish,
          publish ? 7 : null,
          publish ? null : tracking,
          publish,
          maxViewers,
          singleUse);
    }
  }

  /** The cross-instance state, in memory: the database version is tested in AuthorizeTest. */
  static final class MemoryGuard implements UsageGuard {
    final Map<Long, Set<String>> bound = new HashMap<>();
    final Map<Long, Integer> live = new HashMap<>();
    final Set<String> consumed = new HashSet<>();
    private final Map<Long, Set<String>> cache = new HashMap<>();

    @Override
    public Set<String> cachedBindings(TokenRef token) {
      return cache.get(token.id());
    }

    @Override
    public Set<String> bindings(TokenRef token) {
      return bound.getOrDefault(token.id(), Set.of());
    }

    @Override
    public boolean bind(TokenRef token, String address, int limit) {
      Set<String> set = bound.computeIfAbsent(token.id(), k -> new HashSet<>());
      boolean ok = set.contains(address) || (set.size() < limit && set.add(address));
      cache.put(token.id(), Set.copyOf(set));
      return ok;
    }

    @Override
    public int liveViewers(TokenRef token) {
      return live.getOrDefault(token.id(), 0);
    }

    @Override
    public boolean knownConsumed(String viewerTokenId) {
      return false;
    }

    @Override
    public boolean consumed(String viewerTokenId) {
      return consumed.contains(viewerTokenId);
    }
  }
}
