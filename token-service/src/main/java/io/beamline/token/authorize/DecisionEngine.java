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

  static final NeedsBlocking NEEDS_BLOCKING = new NeedsBlocking();

  private final TokenIndex index;
  private final CountryChecks countries;
  private final UsageChecks usage;
  private final Clock clock;

  public DecisionEngine(TokenIndex index, CountryLookup geo, UsageGuard guard, Clock clock) {
    this.index = index;
    this.countries = new CountryChecks(index, geo);
    this.usage = new UsageChecks(guard);
    this.clock = clock;
  }

  /**
   * Decides, stopping at the first refusal. With {@code mayBlock} false it never touches the
   * database and throws {@link NeedsBlocking} when the answer needs it: call again off the event
   * loop with {@code mayBlock} true. Binding a new address on first use is the one side effect.
   */
  public Decision decide(AuthorizeRequest request, boolean mayBlock) {
    DecisionRun run = new DecisionRun(false, mayBlock);
    try {
      return Decision.allow(evaluate(request, run));
    } catch (DecisionRun.Stop stop) {
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
    DecisionRun run = new DecisionRun(true, true);
    EffectiveSettings settings = null;
    try {
      settings = evaluate(scoped, run);
    } catch (DecisionRun.Stop stop) {
      // A check nothing else can follow (e.g. unknown token): report what ran.
    }
    boolean allowed = run.reason == null;
    return new Explanation(
        allowed, run.reason, run.detail, List.copyOf(run.checks), allowed ? settings : null);
  }

  private EffectiveSettings evaluate(AuthorizeRequest request, DecisionRun run) {
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
      AuthorizeRequest request, String bearer, IPAddress client, long now, DecisionRun run) {
    if (bearer == null) {
      run.fatal("token", Reason.TOKEN_REQUIRED, "publishing needs a publish token");
    }
    TokenRules token = lookup(request, bearer, TokenKind.PUBLISH_TOKEN, run);
    TokenChecks.activeAndUnexpired(token, now, run);
    TokenChecks.stream(token, request.streamName(), run);
    TokenChecks.origin(token.origins(), request.origin(), run);
    TokenChecks.ip(token.ips(), client, run);
    usage.binding(token, client, run);
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
        countries.of(client),
        null,
        null);
  }

  private EffectiveSettings open(
      AuthorizeRequest request, TokenRules publisher, IPAddress client, long now, DecisionRun run) {
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
    String country = countries.check(null, publisher, request.accountId(), client, run);
    return EffectiveSettings.forViewer(
        null, request, publisher, null, country, null, null, null, false);
  }

  private EffectiveSettings subscribe(
      AuthorizeRequest request,
      String bearer,
      TokenRules publisher,
      IPAddress client,
      long now,
      DecisionRun run) {
    TokenRules token = lookup(request, bearer, TokenKind.SUBSCRIBE_TOKEN, run);
    TokenChecks.activeAndUnexpired(token, now, run);
    TokenChecks.stream(token, request.streamName(), run);
    TokenChecks.origin(token.origins(), request.origin(), run);
    TokenChecks.ip(token.ips(), client, run);
    String country = countries.check(token.countries(), publisher, token.accountId(), client, run);
    String viewerTokenId =
        token.definition().singleUseViewerTokens() ? "token:" + token.definition().id() : null;
    usage.singleUse(viewerTokenId, run);
    usage.viewerLimit(token, run);
    usage.binding(token, client, run);
    return EffectiveSettings.forViewer(
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
      DecisionRun run) {
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
    TokenChecks.activeAndUnexpired(parent, now, run);
    if (!sst.streamName().equals(request.streamName())) {
      run.fail(
          "stream",
          Reason.STREAM_NOT_ALLOWED,
          "self-signed token is for stream " + sst.streamName() + ", not " + request.streamName());
    } else {
      TokenChecks.stream(parent, request.streamName(), run);
    }
    // The reference appends the self-signed token's lists to the parent's.
    TokenChecks.origin(
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
    TokenChecks.ip(ips, client, run);
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
    String country =
        countries.check(parent.countries(), publisher, parent.accountId(), client, run);
    String viewerTokenId =
        parent.definition().singleUseViewerTokens()
            ? "sst:" + parent.definition().id() + ":" + fingerprint(sst, bearer)
            : null;
    usage.singleUse(viewerTokenId, run);
    usage.viewerLimit(parent, run);
    usage.binding(parent, client, run);
    Instant expiry = Instant.ofEpochSecond(sst.expiresAtSeconds());
    if (parent.expiresAtMillis() < expiry.toEpochMilli()) {
      expiry = parent.definition().expiresOn();
    }
    EffectiveSettings base =
        EffectiveSettings.forViewer(
            parent,
            request,
            publisher,
            tracking,
            country,
            cluster,
            sst.customViewerData(),
            viewerTokenId,
            true);
    return base.withExpiresAt(expiry);
  }

  private TokenRules lookup(
      AuthorizeRequest request, String bearer, TokenKind kind, DecisionRun run) {
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
}
