package io.beamline.stream.media;

import io.beamline.stream.Feed;
import io.beamline.stream.ViewerSession;
import io.beamline.stream.config.StreamConfig;
import io.beamline.stream.service.AuthorizeRequest;
import io.beamline.stream.service.Decision;
import io.beamline.stream.service.FeedStart;
import io.beamline.stream.service.LiveView;
import io.beamline.stream.service.MediaGrant;
import io.beamline.stream.service.MediaJwts;
import io.beamline.stream.service.SessionIds;
import io.beamline.stream.service.StreamLifecycle;
import io.beamline.stream.service.TokenServiceClient;
import io.beamline.stream.service.ViewerStart;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The server-neutral media model: decides publishers and viewers (media JWT checked locally, or a
 * token through token-service) and turns media-node happenings into the stream lifecycle. Each
 * media server's adapter maps its callbacks onto these calls.
 */
@ApplicationScoped
public class MediaGateway {

  private final StreamLifecycle lifecycle;
  private final TokenServiceClient tokenService;
  private final MediaJwts jwts;
  private final HlsSessions hls;
  private final StreamConfig.MediaNode node;
  private final MeterRegistry metrics;
  private final MediaNodeControl control;
  private final LiveView view;
  private final Counter playsAllowed;

  public MediaGateway(
      StreamLifecycle lifecycle,
      TokenServiceClient tokenService,
      MediaJwts jwts,
      HlsSessions hls,
      StreamConfig config,
      MeterRegistry metrics,
      MediaNodeControl control,
      LiveView view) {
    this.lifecycle = lifecycle;
    this.tokenService = tokenService;
    this.jwts = jwts;
    this.hls = hls;
    this.node = config.mediaNode();
    this.metrics = metrics;
    this.control = control;
    this.view = view;
    this.playsAllowed =
        metrics.counter("beamline.media.play", "result", "allowed", "reason", "none");
  }

  /** A publisher wants in: allowed with the feed id as its media name, or refused. */
  public MediaAnswer publish(PublishAttempt attempt) {
    Long tokenId;
    String accountId;
    String country;
    boolean record;
    boolean multisource;
    boolean secure;
    Integer tokenPriority;
    if (attempt.jwt() != null) {
      Optional<MediaGrant> grant = jwts.read(attempt.jwt());
      if (grant.isEmpty()) {
        return refusedPublish("invalid_token");
      }
      MediaGrant g = grant.get();
      String problem =
          grantProblem(g, MediaGrant.PUBLISH, attempt.streamName(), attempt.clientIp());
      if (problem != null) {
        // The grant's signature holds, so the stream and account are known: tell the world.
        lifecycle.publisherRefused(
            g.accountId(),
            g.streamName(),
            g.tokenId(),
            attempt.sourceId(),
            attempt.mediaNodeId(),
            attempt.protocol(),
            g.clientCountry(),
            problem.equals("token_expired") ? "token-expired" : "unauthorized",
            node.clusterId());
        return refusedPublish(problem);
      }
      tokenId = g.tokenId();
      accountId = g.accountId();
      country = g.clientCountry();
      record = g.record();
      multisource = g.multisource();
      secure = g.secure();
      tokenPriority = g.priority();
    } else if (attempt.token() != null) {
      Decision decision =
          tokenService.authorize(
              AuthorizeRequest.publish(
                  attempt.streamName(), attempt.token(), null, attempt.clientIp()));
      if (!decision.allowed()) {
        // A refused opaque token names no account, so no stream event can carry it.
        Log.infof(
            "publish of %s refused: %s (%s)",
            attempt.streamName(), decision.reason(), decision.detail());
        return refusedPublish(decision.reason());
      }
      Decision.Settings s = decision.settings();
      tokenId = s.tokenId();
      accountId = s.accountId();
      country = s.clientCountry();
      record = Boolean.TRUE.equals(s.record());
      multisource = Boolean.TRUE.equals(s.multisource());
      secure = Boolean.TRUE.equals(s.subscribeRequiresAuth());
      tokenPriority = s.priority();
    } else {
      return refusedPublish("token_required");
    }
    if (tokenId == null || accountId == null) {
      return refusedPublish("token_required");
    }
    StreamLifecycle.FeedStartResult result =
        lifecycle.startFeed(
            new FeedStart(
                accountId,
                attempt.streamName(),
                tokenId,
                blankToNull(attempt.sourceId()),
                attempt.priority() != null ? attempt.priority() : tokenPriority,
                blankToNull(attempt.simulcastId()),
                attempt.mediaNodeId(),
                attempt.mediaClientId(),
                attempt.protocol(),
                attempt.clientIp(),
                country,
                record && !attempt.noRecord(),
                !attempt.noRestream(),
                multisource,
                secure),
            node.clusterId());
    if (result.feed() == null) {
      return refusedPublish(result.refusal());
    }
    metrics.counter("beamline.media.publish", "result", "allowed", "reason", "none").increment();
    return MediaAnswer.allow(result.feed().id);
  }

  /** The publisher of a node connection left (orderly or not: nginx cannot tell). */
  public void publishEnded(String mediaNodeId, String mediaClientId) {
    lifecycle
        .liveFeedOfClient(mediaNodeId, mediaClientId)
        .ifPresent(
            feed -> {
              if (lifecycle.endFeed(feed.id, "publisher-disconnected")) {
                // Players of a dead feed would wait on it forever: disconnected, they come back
                // (recording and restream workers at once) and are served the stream's new feed.
                control.dropViewers(feed.id);
              }
            });
  }

  /** Whether a node connection may go on (a stopped or revoked one may not). */
  public boolean stillAllowed(String mediaNodeId, String mediaClientId, boolean publisher) {
    return publisher
        ? lifecycle.liveFeedOfClient(mediaNodeId, mediaClientId).isPresent()
        : lifecycle.liveViewerOfClient(mediaNodeId, mediaClientId).isPresent();
  }

  /** An RTMP viewer wants to play: allowed with the active feed's media name, or refused. */
  public MediaAnswer play(PlayAttempt attempt) {
    if (attempt.relay()) {
      return MediaAnswer.allow(null);
    }
    if (attempt.jwt() != null) {
      Optional<MediaGrant> grant = jwts.read(attempt.jwt());
      if (grant.isPresent() && MediaGrant.EGRESS.equals(grant.get().action())) {
        return egress(grant.get(), attempt);
      }
      return admitAndJoin(attempt, grantedViewer(grant, attempt));
    }
    Long publishTokenId =
        attempt.accountId() == null ? null : view.of(streamId(attempt)).publishTokenIfLive();
    Decision decision = tokenService.authorize(subscribeRequest(attempt, publishTokenId));
    return admitAndJoin(attempt, authorizedViewer(decision, attempt));
  }

  /**
   * {@link #play}, without holding a thread in the common case: an RTMP viewer with a subscribe
   * token (or none, on an open stream) of a stream this instance knows, whose token cannot refuse
   * at media start. The decision is asked for without waiting and the join is queued for the next
   * group write; the answer completes once the join is committed. Every other case, and a stream
   * whose state changed meanwhile, runs {@link #play} on {@code blocking}.
   */
  public CompletionStage<MediaAnswer> playAsync(PlayAttempt attempt, Executor blocking) {
    LiveView.Snapshot before = attempt.accountId() == null ? null : view.cached(streamId(attempt));
    if (attempt.relay() || attempt.jwt() != null || before == null) {
      return CompletableFuture.supplyAsync(() -> play(attempt), blocking);
    }
    return tokenService
        .authorizeAsync(subscribeRequest(attempt, before.publishTokenIfLive()))
        .thenCompose(
            decision -> {
              Viewer v = authorizedViewer(decision, attempt);
              if (v.refusal != null) {
                return CompletableFuture.completedFuture(refusedPlay(v.refusal));
              }
              // Read after the decision, as play() does: a failover meanwhile is served.
              LiveView.Snapshot stream = view.cached(streamId(attempt));
              if (v.mayBeRefusedAtStart() || stream == null) {
                return CompletableFuture.supplyAsync(() -> admitAndJoin(attempt, v), blocking);
              }
              Optional<Feed> feed =
                  StreamLifecycle.servedFeed(stream.liveFeeds(), attempt.sourceId());
              if (feed.isEmpty()) {
                return CompletableFuture.completedFuture(notLive(attempt.sourceId()));
              }
              return lifecycle
                  .joinViewerAsync(viewerStart(attempt, v, feed.get()), node.clusterId())
                  .thenApply(
                      session -> {
                        playsAllowed.increment();
                        return MediaAnswer.allow(feed.get().id);
                      });
            });
  }

  /** Serves an authorised (or refused) viewer: admitted when its token may refuse, then joined. */
  private MediaAnswer admitAndJoin(PlayAttempt attempt, Viewer v) {
    if (v.refusal != null) {
      return refusedPlay(v.refusal);
    }
    String sourceId = v.sourceId != null ? v.sourceId : attempt.sourceId();
    Optional<Feed> feed = view.servedFeed(v.accountId + "/" + attempt.streamName(), sourceId);
    if (feed.isEmpty()) {
      return notLive(sourceId);
    }
    ViewerStart start = viewerStart(attempt, v, feed.get());
    // Only a cap or a single-use credential can refuse the viewer at media start: then the join
    // waits for token-service's word. Otherwise token-service learns of the session from its
    // viewer-joined event, and the join costs no call.
    if (v.tokenId != null
        && v.mayBeRefusedAtStart()
        && !tokenService.admitViewer(v.tokenId, start.sessionId(), v.viewerTokenId, v.accountId)) {
      return refusedPlay("viewer_limit_reached");
    }
    lifecycle.joinViewer(start, node.clusterId());
    playsAllowed.increment();
    return MediaAnswer.allow(feed.get().id);
  }

  private ViewerStart viewerStart(PlayAttempt attempt, Viewer v, Feed feed) {
    return new ViewerStart(
        SessionIds.next('v'),
        v.accountId,
        attempt.streamName(),
        feed.id,
        v.tokenId,
        v.trackingId,
        v.country,
        attempt.protocol(),
        attempt.mediaNodeId(),
        attempt.mediaClientId(),
        null,
        false);
  }

  private MediaAnswer notLive(String sourceId) {
    return refusedPlay(sourceId == null ? "stream_not_live" : "source_not_live");
  }

  private static String streamId(PlayAttempt attempt) {
    return attempt.accountId() + "/" + attempt.streamName();
  }

  /**
   * A platform worker pulls a stream with an egress grant: served its source's current feed, once
   * per grant, as an internal reader (never counted as a viewer, never admitted against caps).
   */
  private MediaAnswer egress(MediaGrant grant, PlayAttempt attempt) {
    if (!Objects.equals(grant.streamName(), attempt.streamName())) {
      return refusedPlay("stream_not_allowed");
    }
    if (grant.expiresAt().isBefore(Instant.now())) {
      return refusedPlay("token_expired");
    }
    if (lifecycle.viewerOfGrant(grant.id()).isPresent()) {
      return refusedPlay("grant_used");
    }
    Optional<Feed> feed = lifecycle.servedFeed(grant.streamId(), grant.sourceId());
    if (feed.isEmpty()) {
      return refusedPlay("stream_not_live");
    }
    lifecycle.joinViewer(
        new ViewerStart(
            SessionIds.next('r'),
            grant.accountId(),
            grant.streamName(),
            feed.get().id,
            null,
            null,
            null,
            attempt.protocol(),
            attempt.mediaNodeId(),
            attempt.mediaClientId(),
            grant.id(),
            true),
        node.clusterId());
    metrics.counter("beamline.media.play", "result", "egress", "reason", "none").increment();
    return MediaAnswer.allow(feed.get().id);
  }

  /** An RTMP viewer left. */
  public void playEnded(String mediaNodeId, String mediaClientId) {
    lifecycle
        .liveViewerOfClient(mediaNodeId, mediaClientId)
        .ifPresent(
            // token-service ends its record of the session from the viewer-left event.
            session -> lifecycle.endViewer(session.id, "viewer-disconnected"));
  }

  /**
   * An HLS request for {@code /hls/<media JWT>/<feed file>}: the first one of a fresh grant starts
   * the viewer session, later ones keep it alive; a revoked, idle-ended or foreign one is refused.
   */
  public boolean hlsRequest(String jwt, String feedId, String clientIp) {
    return jwts.read(jwt).map(g -> hlsRequest(g, feedId, clientIp)).orElse(false);
  }

  /** {@link #hlsRequest(String, String, String)} for a grant already read from its media JWT. */
  public boolean hlsRequest(MediaGrant g, String feedId, String clientIp) {
    if (!MediaGrant.SUBSCRIBE.equals(g.action()) || !Objects.equals(g.clientIp(), clientIp)) {
      return false;
    }
    if (hls.touch(g.id())) {
      return true;
    }
    synchronized (this) {
      if (hls.touch(g.id())) {
        return true;
      }
      Optional<ViewerSession> existing = lifecycle.viewerOfGrant(g.id());
      if (existing.isPresent()) {
        if (!ViewerSession.LIVE.equals(existing.get().state)) {
          return false;
        }
        hls.remember(g.id(), existing.get().id);
        return true;
      }
      if (g.expiresAt().isBefore(Instant.now())) {
        return false;
      }
      Optional<Feed> feed =
          lifecycle.liveFeeds(g.streamId()).stream().filter(f -> f.id.equals(feedId)).findFirst();
      if (feed.isEmpty()) {
        return false;
      }
      String sessionId = SessionIds.next('v');
      if (g.tokenId() != null
          && !tokenService.admitViewer(g.tokenId(), sessionId, g.viewerTokenId(), g.accountId())) {
        return false;
      }
      lifecycle.joinViewer(
          new ViewerStart(
              sessionId,
              g.accountId(),
              g.streamName(),
              feedId,
              g.tokenId(),
              g.trackingId(),
              g.clientCountry(),
              "hls",
              node.id(),
              null,
              g.id(),
              false),
          node.clusterId());
      hls.remember(g.id(), sessionId);
      return true;
    }
  }

  /**
   * The master playlist for {@code /hls/<media JWT>/master.m3u8}: for a viewer grant of this client
   * whose session may still start (fresh) or goes on (live); empty when refused or when nothing is
   * live.
   */
  public Playlist hlsMaster(String jwt, String clientIp, String sourceId) {
    Optional<MediaGrant> grant = jwts.read(jwt);
    if (grant.isEmpty()) {
      return Playlist.REFUSED;
    }
    MediaGrant g = grant.get();
    if (!MediaGrant.SUBSCRIBE.equals(g.action()) || !Objects.equals(g.clientIp(), clientIp)) {
      return Playlist.REFUSED;
    }
    if (g.expiresAt().isBefore(Instant.now())) {
      Optional<ViewerSession> session = lifecycle.viewerOfGrant(g.id());
      if (session.isEmpty() || !ViewerSession.LIVE.equals(session.get().state)) {
        return Playlist.REFUSED;
      }
    }
    // The grant's source (chosen at the Director) wins over the query string's.
    String source = g.sourceId() != null ? g.sourceId() : sourceId;
    return HlsMasterPlaylist.write(lifecycle.liveFeeds(g.streamId()), source)
        .map(Playlist::of)
        .orElse(Playlist.NOT_LIVE);
  }

  /** A playlist to serve, or why not: {@code status} 200, 403 (refused) or 404 (not live). */
  public record Playlist(int status, String text) {
    static final Playlist REFUSED = new Playlist(403, null);
    static final Playlist NOT_LIVE = new Playlist(404, null);

    static Playlist of(String text) {
      return new Playlist(200, text);
    }
  }

  /** Who a viewer is, once authorised; {@code refusal} set when not. */
  private record Viewer(
      String accountId,
      Long tokenId,
      String trackingId,
      String country,
      String viewerTokenId,
      String sourceId,
      boolean uncapped,
      String refusal) {

    static Viewer refused(String reason) {
      return new Viewer(null, null, null, null, null, null, false, reason);
    }

    /** Whether token-service may still refuse this viewer when its media starts. */
    boolean mayBeRefusedAtStart() {
      return viewerTokenId != null || !uncapped;
    }
  }

  private Viewer grantedViewer(Optional<MediaGrant> grant, PlayAttempt attempt) {
    if (grant.isEmpty()) {
      return Viewer.refused("invalid_token");
    }
    MediaGrant g = grant.get();
    String problem =
        grantProblem(g, MediaGrant.SUBSCRIBE, attempt.streamName(), attempt.clientIp());
    return new Viewer(
        g.accountId(),
        g.tokenId(),
        g.trackingId(),
        g.clientCountry(),
        g.viewerTokenId(),
        g.sourceId(),
        false,
        problem);
  }

  private static AuthorizeRequest subscribeRequest(PlayAttempt attempt, Long publishTokenId) {
    return AuthorizeRequest.subscribe(
        attempt.streamName(),
        attempt.accountId(),
        attempt.token(),
        attempt.origin(),
        attempt.clientIp(),
        publishTokenId);
  }

  private static Viewer authorizedViewer(Decision decision, PlayAttempt attempt) {
    if (!decision.allowed()) {
      return Viewer.refused(decision.reason());
    }
    Decision.Settings s = decision.settings();
    String account = s.accountId() != null ? s.accountId() : attempt.accountId();
    if (account == null) {
      return Viewer.refused("account_required");
    }
    return new Viewer(
        account,
        s.tokenId(),
        s.trackingId(),
        s.clientCountry(),
        s.viewerTokenId(),
        null,
        s.maxConcurrentViewers() == null,
        null);
  }

  /** Why a grant does not allow this action here, or null when it does. */
  private static String grantProblem(
      MediaGrant grant, String action, String streamName, String clientIp) {
    if (!action.equals(grant.action())) {
      return "token_wrong_type";
    }
    if (!Objects.equals(grant.streamName(), streamName)) {
      return "stream_not_allowed";
    }
    if (!Objects.equals(grant.clientIp(), clientIp)) {
      return "ip_not_allowed";
    }
    if (grant.expiresAt().isBefore(Instant.now())) {
      return "token_expired";
    }
    return null;
  }

  private MediaAnswer refusedPublish(String reason) {
    metrics.counter("beamline.media.publish", "result", "refused", "reason", reason).increment();
    return MediaAnswer.deny(reason);
  }

  private MediaAnswer refusedPlay(String reason) {
    metrics.counter("beamline.media.play", "result", "refused", "reason", reason).increment();
    return MediaAnswer.deny(reason);
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
