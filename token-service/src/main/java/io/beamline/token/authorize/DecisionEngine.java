package io.beamline.token.authorize;

import inet.ipaddr.IPAddress;
import io.beamline.events.token.TokenKind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Decides whether a publish or subscribe request may go ahead, from the in-memory token index alone
 * (except first-use IP binding, viewer caps and single-use credentials, which must agree across
 * instances), and explains every check on demand. Plain Java: no framework, no I/O of its own.
 */
public final class DecisionEngine {

  /**
   * Thrown (without a stack trace) when the answer needs the database and blocking is not allowed.
   */
  public static final class NeedsBlocking extends RuntimeException {
    private NeedsBlocking() {
      super("needs a blocking step", null, false, false);
    }
  }

  private static final NeedsBlocking NEEDS_BLOCKING = new NeedsBlocking();

  /** Ends a fast decision at its first refusal, or any decision at a refusal nothing can follow. */
  private static final class Stop extends RuntimeException {
    private Stop() {
      super(null, null, false, false);
    }
  }

  private static final Stop STOP = new Stop();

  private final TokenIndex index;
  private final CountryLookup geo;
  private final UsageGuard guard;
  private final Clock clock;

  public DecisionEngine(TokenIndex index, CountryLookup geo, UsageGuard guard, Clock clock) {
    this.index = index;
    this.geo = geo;
    this.guard = guard;
    this.clock = clock;
  }

  /**
   * Decides, stopping at the first refusal. With {@code mayBlock} false it never touches the
   * database and throws {@link NeedsBlocking} when the answer needs it: call again off the event
   * loop with {@code mayBlock} true. Binding a new address on first use is the one side effect.
   */
  public Decision decide(AuthorizeRequest request, boolean mayBlock) {
    Run run = new Run(false, mayBlock);
    try {
      return Decision.allow(evaluate(request, run));
    } catch (Stop stop) {
      return Decision.deny(run.reason, run.detail);
    }
  }

  /**
   * Runs every check that can run and reports each (blocking, without side effects: an address is
   * reported as bindable, not bound). Only tokens of {@code accountId} are visible.
   */
  public Explanation explain(AuthorizeRequest request, String accountId) {
    AuthorizeRequest scoped =
        new AuthorizeRequest(
            request.action(),
            request.streamName(),
            accountId,
            request.token(),
            request.origin(),
            request.clientIp(),
            request.publishTokenId());
    Run run = new Run(true, true);
    EffectiveSettings settings = null;
    try {
      settings = evaluate(scoped, run);
    } catch (Stop stop) {
      // A check nothing else can follow (e.g. unknown token): report what ran.
    }
    boolean allowed = run.reason == null;
    return new Explanation(
        allowed, run.reason, run.detail, List.copyOf(run.checks), allowed ? settings : null);
  }

  private EffectiveSettings evaluate(AuthorizeRequest request, Run run) {
    IPAddress client = ClientAddress.parse(request.clientIp());
    long now = clock.millis();
    String bearer = request.bearer();
    if (request.publish()) {
      return publish(request, bearer, client, now, run);
    }
    TokenRules publisher = publisher(request);
    if (bearer == null) {
      return open(request, publisher, client, now, run);
    }
    if (SelfSignedToken.looksLikeJwt(bearer)) {
      return selfSigned(request, bearer, publisher, client, now, run);
    }
    return subscribe(request, bearer, publisher, client, now, run);
  }

  private EffectiveSettings publish(
      AuthorizeRequest request, String bearer, IPAddress client, long now, Run run) {
    if (bearer == null) {
      run.fatal("token", Reason.TOKEN_REQUIRED, "publishing needs a publish token");
    }
    TokenRules token = lookup(request, bearer, TokenKind.PUBLISH_TOKEN, run);
    activeAndUnexpired(token, now, run);
    stream(token, request.streamName(), run);
    origin(token.origins(), request.origin(), run);
    ip(token.ips(), client, run);
    binding(token, client, run);
    TokenDefinition d = token.definition();
    return new EffectiveSettings(
        d.id(),
        "publish",
        null,
        d.accountId(),
        request.streamName(),
        d.label(),
        d.record(),
        d.multisource(),
        d.priority(),
        d.restream(),
        d.subscribeRequiresAuth(),
        null,
        d.originCluster(),
        null,
        d.expiresOn(),
        country(client),
        null,
        null);
  }

  private EffectiveSettings open(
      AuthorizeRequest request, TokenRules publisher, IPAddress client, long now, Run run) {
    boolean secured =
        publisher != null
            ? publisher.definition().subscribeRequiresAuth()
            : index.streamRequiresAuth(request.accountId(), request.streamName(), now);
    if (secured) {
      run.fatal(
          "token",
          Reason.TOKEN_REQUIRED,
          "stream " + request.streamName() + " is secured: viewers need a subscribe token");
    }
    run.pass("token", () -> "open stream: no subscribe token needed");
    String country = countries(null, publisher, request.accountId(), client, run);
    return viewerSettings(null, request, publisher, null, country, null, null, null, false);
  }

  private EffectiveSettings subscribe(
      AuthorizeRequest request,
      String bearer,
      TokenRules publisher,
      IPAddress client,
      long now,
      Run run) {
    TokenRules token = lookup(request, bearer, TokenKind.SUBSCRIBE_TOKEN, run);
    activeAndUnexpired(token, now, run);
    stream(token, request.streamName(), run);
    origin(token.origins(), request.origin(), run);
    ip(token.ips(), client, run);
    String country = countries(token.countries(), publisher, token.accountId(), client, run);
    String viewerTokenId =
        token.definition().singleUseViewerTokens() ? "token:" + token.definition().id() : null;
    singleUse(viewerTokenId, run);
    viewerLimit(token, run);
    binding(token, client, run);
    return viewerSettings(
        token,
        request,
        publisher,
        token.definition().trackingId(),
        country,
        token.definition().originCluster(),
        null,
        viewerTokenId,
        false);
  }

  private EffectiveSettings selfSigned(
      AuthorizeRequest request,
      String bearer,
      TokenRules publisher,
      IPAddress client,
      long now,
      Run run) {
    SelfSignedToken sst;
    try {
      sst = SelfSignedToken.parse(bearer);
    } catch (SelfSignedToken.Invalid e) {
      run.fatal("token", e.reason(), e.getMessage());
      return null;
    }
    TokenRules parent = index.subscribe(sst.parentId());
    if (parent == null
        || (request.accountId() != null && !request.accountId().equals(parent.accountId()))) {
      run.fatal(
          "token",
          Reason.TOKEN_NOT_FOUND,
          "self-signed token names subscribe token " + sst.parentId() + ", which does not exist");
    }
    run.pass("token", () -> "self-signed token of subscribe token " + sst.parentId());
    if (!sst.verifiedWith(parent.secretKey())) {
      run.fatal(
          "signature",
          Reason.INVALID_SIGNATURE,
          "the signature does not verify with subscribe token "
              + sst.parentId()
              + "'s secret (was it regenerated?)");
    }
    run.pass("signature", () -> sst.algorithm() + " with the parent's secret");
    long nowSeconds = now / 1000;
    if (nowSeconds >= sst.expiresAtSeconds()) {
      run.fail(
          "expiry",
          Reason.TOKEN_EXPIRED,
          "self-signed token expired at " + Instant.ofEpochSecond(sst.expiresAtSeconds()));
    } else if (sst.notBeforeSeconds() != null && nowSeconds < sst.notBeforeSeconds()) {
      run.fail(
          "expiry",
          Reason.INVALID_TOKEN,
          "self-signed token is not valid before " + Instant.ofEpochSecond(sst.notBeforeSeconds()));
    }
    activeAndUnexpired(parent, now, run);
    if (!sst.streamName().equals(request.streamName())) {
      run.fail(
          "stream",
          Reason.STREAM_NOT_ALLOWED,
          "self-signed token is for stream " + sst.streamName() + ", not " + request.streamName());
    } else {
      stream(parent, request.streamName(), run);
    }
    // The reference appends the self-signed token's lists to the parent's.
    origin(
        sst.allowedOrigins().isEmpty()
            ? parent.origins()
            : OriginMatcher.compile(
                concat(parent.definition().allowedOrigins(), sst.allowedOrigins())),
        request.origin(),
        run);
    IpMatcher ips = parent.ips();
    if (!sst.allowedIpAddresses().isEmpty()) {
      try {
        ips =
            IpMatcher.compile(
                concat(parent.definition().allowedIpAddresses(), sst.allowedIpAddresses()));
      } catch (IllegalArgumentException e) {
        run.fatal("ip", Reason.INVALID_TOKEN, "streaming.allowedIpAddresses: " + e.getMessage());
      }
    }
    ip(ips, client, run);
    String parentCluster = parent.definition().originCluster();
    String cluster = parentCluster;
    if (sst.originCluster() != null) {
      if (parentCluster != null
          && !parentCluster.equals("auto")
          && !parentCluster.equals(sst.originCluster())) {
        run.fail(
            "cluster",
            Reason.CLUSTER_NOT_ALLOWED,
            "parent is pinned to cluster " + parentCluster + ", not " + sst.originCluster());
      } else {
        run.pass("cluster", () -> "cluster " + sst.originCluster());
        cluster = sst.originCluster();
      }
    }
    String parentTracking = parent.definition().trackingId();
    String tracking = parentTracking;
    if (sst.trackingId() != null) {
      if (parentTracking != null && !parentTracking.equals(sst.trackingId())) {
        run.fail(
            "tracking",
            Reason.TRACKING_MISMATCH,
            "parent tracks viewers as " + parentTracking + ", not " + sst.trackingId());
      } else {
        run.pass("tracking", () -> "tracking id " + sst.trackingId());
        tracking = sst.trackingId();
      }
    }
    String country = countries(parent.countries(), publisher, parent.accountId(), client, run);
    String viewerTokenId =
        parent.definition().singleUseViewerTokens()
            ? "sst:" + parent.definition().id() + ":" + fingerprint(sst, bearer)
            : null;
    singleUse(viewerTokenId, run);
    viewerLimit(parent, run);
    binding(parent, client, run);
    Instant expiry = Instant.ofEpochSecond(sst.expiresAtSeconds());
    if (parent.expiresAtMillis() < expiry.toEpochMilli()) {
      expiry = parent.definition().expiresOn();
    }
    EffectiveSettings base =
        viewerSettings(
            parent,
            request,
            publisher,
            tracking,
            country,
            cluster,
            sst.customViewerData(),
            viewerTokenId,
            true);
    return withExpiry(base, expiry);
  }

  private TokenRules lookup(AuthorizeRequest request, String bearer, TokenKind kind, Run run) {
    TokenRules token = index.bySecret(bearer);
    if (token == null
        || (request.accountId() != null && !request.accountId().equals(token.accountId()))) {
      run.fatal("token", Reason.TOKEN_NOT_FOUND, "no such token");
    }
    if (token.ref().kind() != kind) {
      run.fatal(
          "token",
          Reason.TOKEN_WRONG_TYPE,
          "token "
              + token.definition().id()
              + " is a "
              + token.ref().type()
              + " token; "
              + (kind == TokenKind.PUBLISH_TOKEN ? "publishing" : "watching")
              + " needs a "
              + (kind == TokenKind.PUBLISH_TOKEN ? "publish" : "subscribe")
              + " token");
    }
    run.pass("token", () -> token.ref().type() + " token " + token.definition().id());
    return token;
  }

  private TokenRules publisher(AuthorizeRequest request) {
    if (request.publishTokenId() == null) {
      return null;
    }
    TokenRules publisher = index.publish(request.publishTokenId());
    if (publisher == null
        || (request.accountId() != null && !request.accountId().equals(publisher.accountId()))) {
      return null;
    }
    return publisher;
  }

  private static void activeAndUnexpired(TokenRules token, long now, Run run) {
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

  private static void stream(TokenRules token, String streamName, Run run) {
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

  private static void origin(OriginMatcher origins, String origin, Run run) {
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

  private static void ip(IpMatcher ips, IPAddress client, Run run) {
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

  /**
   * Checks the geo-fence: the token's own rules, else the stream's publish token's, else the
   * account's. Returns the client's country when known.
   */
  private String countries(
      CountryRule tokenRule, TokenRules publisher, String accountId, IPAddress client, Run run) {
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
    String country = country(client);
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

  private String country(IPAddress client) {
    return geo.available() ? geo.country(client) : null;
  }

  private void viewerLimit(TokenRules token, Run run) {
    Integer cap = token.definition().maxConcurrentViewers();
    if (cap == null) {
      return;
    }
    if (!run.mayBlock) {
      throw NEEDS_BLOCKING;
    }
    int live = guard.liveViewers(token.ref());
    if (live < cap) {
      run.pass("viewerLimit", () -> live + " of " + cap + " concurrent viewers");
    } else {
      run.fail(
          "viewerLimit",
          Reason.VIEWER_LIMIT_REACHED,
          "token " + token.definition().id() + " already has " + live + " of " + cap + " viewers");
    }
  }

  private void singleUse(String viewerTokenId, Run run) {
    if (viewerTokenId == null) {
      return;
    }
    boolean used = guard.knownConsumed(viewerTokenId);
    if (!used) {
      if (!run.mayBlock) {
        throw NEEDS_BLOCKING;
      }
      used = guard.consumed(viewerTokenId);
    }
    if (used) {
      run.fail(
          "singleUse",
          Reason.TOKEN_ALREADY_USED,
          "this single-use viewer token has already started media");
    } else {
      run.pass("singleUse", () -> "not used yet; consumed when media starts");
    }
  }

  /** Runs last, so that a request refused for another reason never binds an address. */
  private void binding(TokenRules token, IPAddress client, Run run) {
    Integer limit = token.definition().bindIpsOnUsage();
    if (limit == null) {
      return;
    }
    String address = client.toCanonicalString();
    Set<String> known = guard.cachedBindings(token.ref());
    if (known != null && known.contains(address)) {
      run.pass("ipBinding", () -> "address " + address + " is bound to the token");
      return;
    }
    if (known != null && known.size() >= limit) {
      bindingExceeded(token, address, limit, run);
      return;
    }
    if (!run.mayBlock) {
      throw NEEDS_BLOCKING;
    }
    if (run.explain) {
      Set<String> bound = guard.bindings(token.ref());
      if (bound.contains(address)) {
        run.pass("ipBinding", () -> "address " + address + " is bound to the token");
      } else if (bound.size() < limit) {
        run.pass(
            "ipBinding",
            () -> "address " + address + " would be bound (" + bound.size() + " of " + limit + ")");
      } else {
        bindingExceeded(token, address, limit, run);
      }
      return;
    }
    if (run.failed()) {
      return;
    }
    if (guard.bind(token.ref(), address, limit)) {
      run.pass("ipBinding", () -> "address " + address + " is bound to the token");
    } else {
      bindingExceeded(token, address, limit, run);
    }
  }

  private static void bindingExceeded(TokenRules token, String address, int limit, Run run) {
    run.fail(
        "ipBinding",
        Reason.IP_BINDING_EXCEEDED,
        "token "
            + token.definition().id()
            + " is bound to "
            + limit
            + " other address"
            + (limit == 1 ? "" : "es")
            + " on first use; "
            + address
            + " is not one of them");
  }

  private static EffectiveSettings viewerSettings(
      TokenRules token,
      AuthorizeRequest request,
      TokenRules publisher,
      String trackingId,
      String country,
      String cluster,
      String customViewerData,
      String viewerTokenId,
      boolean selfSigned) {
    TokenDefinition t = token == null ? null : token.definition();
    TokenDefinition p = publisher == null ? null : publisher.definition();
    String clusterOrPublisher = cluster != null ? cluster : p == null ? null : p.originCluster();
    return new EffectiveSettings(
        t == null ? null : t.id(),
        t == null ? null : "subscribe",
        t == null ? null : selfSigned,
        t == null ? request.accountId() : t.accountId(),
        request.streamName(),
        t == null ? null : t.label(),
        p == null ? null : p.record(),
        p == null ? null : p.multisource(),
        p == null ? null : p.priority(),
        p == null ? null : p.restream(),
        p == null ? null : p.subscribeRequiresAuth(),
        trackingId,
        clusterOrPublisher,
        customViewerData,
        t == null ? null : t.expiresOn(),
        country,
        viewerTokenId,
        t == null ? null : t.maxConcurrentViewers());
  }

  private static EffectiveSettings withExpiry(EffectiveSettings s, Instant expiry) {
    return new EffectiveSettings(
        s.tokenId(),
        s.tokenType(),
        s.selfSigned(),
        s.accountId(),
        s.streamName(),
        s.label(),
        s.record(),
        s.multisource(),
        s.priority(),
        s.restream(),
        s.subscribeRequiresAuth(),
        s.trackingId(),
        s.originCluster(),
        s.customViewerData(),
        expiry,
        s.clientCountry(),
        s.viewerTokenId(),
        s.maxConcurrentViewers());
  }

  /** A self-signed token's identity for single use: its {@code jti}, else a hash of the token. */
  private static String fingerprint(SelfSignedToken sst, String bearer) {
    if (sst.jwtId() != null && !sst.jwtId().isBlank()) {
      return "jti:" + sst.jwtId();
    }
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(bearer.getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(hash, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a == null ? List.of() : a);
    all.addAll(b);
    return all;
  }

  /** The state of one evaluation: the first refusal, and every check when explaining. */
  private static final class Run {
    final boolean explain;
    final boolean mayBlock;
    final List<Check> checks = new ArrayList<>();
    Reason reason;
    String detail;

    Run(boolean explain, boolean mayBlock) {
      this.explain = explain;
      this.mayBlock = mayBlock;
    }

    boolean failed() {
      return reason != null;
    }

    /** Records a passed check; its description is only built when explaining. */
    void pass(String name, Supplier<String> what) {
      if (explain) {
        checks.add(new Check(name, true, null, what.get()));
      }
    }

    void fail(String name, Reason why, String what) {
      if (explain) {
        checks.add(new Check(name, false, why, what));
      }
      if (reason == null) {
        reason = Objects.requireNonNull(why);
        detail = what;
      }
      if (!explain) {
        throw STOP;
      }
    }

    /** A refusal that leaves nothing else to check. */
    void fatal(String name, Reason why, String what) {
      fail(name, why, what);
      throw STOP;
    }
  }
}
