package io.beamline.stream.rest;

import io.beamline.platform.problem.ApiProblemException;
import io.beamline.stream.Feed;
import io.beamline.stream.LiveStream;
import io.beamline.stream.config.StreamConfig;
import io.beamline.stream.rest.DirectorRequests.DirectorResponse;
import io.beamline.stream.rest.DirectorRequests.MediaUrl;
import io.beamline.stream.rest.DirectorRequests.PublishRequest;
import io.beamline.stream.rest.DirectorRequests.SubscribeRequest;
import io.beamline.stream.service.AuthorizeRequest;
import io.beamline.stream.service.Decision;
import io.beamline.stream.service.MediaGrant;
import io.beamline.stream.service.MediaJwts;
import io.beamline.stream.service.MediaNodeRegistry;
import io.beamline.stream.service.StreamLifecycle;
import io.beamline.stream.service.TokenServiceClient;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The Director: turns a publish or subscribe token into media-node URLs and a short-lived media JWT
 * bound to the stream, the action and the client's address.
 */
@Path("/api/director")
@Tag(name = "Director")
@PermitAll
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class DirectorResource {

  /** Reasons meaning "who are you?" rather than "not you". */
  private static final Set<String> UNAUTHENTICATED =
      Set.of("token_required", "token_not_found", "invalid_token", "invalid_signature");

  private final TokenServiceClient tokenService;
  private final MediaJwts jwts;
  private final StreamLifecycle lifecycle;
  private final ClientAddress clientAddress;
  private final MediaNodeRegistry nodes;
  private final Map<String, String> clusterCountries;

  public DirectorResource(
      TokenServiceClient tokenService,
      MediaJwts jwts,
      StreamLifecycle lifecycle,
      ClientAddress clientAddress,
      MediaNodeRegistry nodes,
      StreamConfig config) {
    this.tokenService = tokenService;
    this.jwts = jwts;
    this.lifecycle = lifecycle;
    this.clientAddress = clientAddress;
    this.nodes = nodes;
    Map<String, String> countries = new HashMap<>();
    config.clusters().forEach((id, c) -> c.country().ifPresent(cc -> countries.put(id, cc)));
    this.clusterCountries = Map.copyOf(countries);
  }

  @POST
  @Path("/publish")
  @Operation(summary = "Publish URLs for a publish token (Authorization: Bearer <publish token>)")
  public Envelope<DirectorResponse> publish(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      @HeaderParam("Origin") String origin,
      @HeaderParam("X-Forwarded-For") String forwardedFor,
      @Context HttpServerRequest http,
      @Valid @NotNull PublishRequest request) {
    String ip = clientAddress.resolve(http.remoteAddress().hostAddress(), forwardedFor);
    Decision decision =
        tokenService.authorize(
            AuthorizeRequest.publish(request.streamName(), bearer(authorization), origin, ip));
    Decision.Settings s = allowed(decision);
    if (request.streamAccountId() != null && !request.streamAccountId().equals(s.accountId())) {
      throw refusal(
          "token_not_found", "the token does not belong to account " + request.streamAccountId());
    }
    MediaGrant grant =
        new MediaGrant(
            jwts.newId(),
            MediaGrant.PUBLISH,
            s.accountId(),
            request.streamName(),
            ip,
            s.tokenId(),
            null,
            s.clientCountry(),
            Boolean.TRUE.equals(s.record()),
            Boolean.TRUE.equals(s.multisource()),
            Boolean.TRUE.equals(s.subscribeRequiresAuth()),
            s.priority(),
            null,
            null,
            jwts.expiryFromNow());
    String jwt = jwts.issue(grant);
    MediaNodeRegistry.Node node =
        nodes.choose(s.originCluster(), s.accountId(), s.clientCountry(), clusterCountries);
    String cluster = node.clusterId();
    lifecycle.starting(s.accountId(), request.streamName(), cluster);
    String rtmp = node.rtmpUrl() + "/" + request.streamName() + "?jwt=" + jwt;
    return Envelope.success(
        new DirectorResponse(
            List.of(rtmp),
            List.of(new MediaUrl("rtmp", rtmp)),
            jwt,
            secondsLeft(grant.expiresAt()),
            List.of(),
            s.accountId(),
            cluster,
            Boolean.TRUE.equals(s.subscribeRequiresAuth())));
  }

  @POST
  @Path("/subscribe")
  @Operation(
      summary =
          "Playback URLs (HLS, RTMP) for a subscribe token, or none for an open stream"
              + " (Authorization: Bearer <subscribe token>)")
  public Envelope<DirectorResponse> subscribe(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      @HeaderParam("Origin") String origin,
      @HeaderParam("X-Forwarded-For") String forwardedFor,
      @Context HttpServerRequest http,
      @Valid @NotNull SubscribeRequest request) {
    String ip = clientAddress.resolve(http.remoteAddress().hostAddress(), forwardedFor);
    String token = bearer(authorization);
    Long publishTokenId =
        request.streamAccountId() == null
            ? null
            : lifecycle.stream(request.streamAccountId(), request.streamName())
                .filter(st -> LiveStream.LIVE.equals(st.state))
                .map(st -> st.tokenId)
                .orElse(null);
    Decision decision =
        tokenService.authorize(
            AuthorizeRequest.subscribe(
                request.streamName(),
                request.streamAccountId(),
                token,
                origin,
                ip,
                publishTokenId));
    Decision.Settings s = allowed(decision);
    String account = s.accountId() != null ? s.accountId() : request.streamAccountId();
    if (account == null) {
      throw ApiProblemException.badRequest(
          "streamAccountId_required", "streamAccountId: required to watch without a token");
    }
    if (request.streamAccountId() != null && !request.streamAccountId().equals(account)) {
      throw refusal(
          "token_not_found", "the token does not belong to account " + request.streamAccountId());
    }
    MediaGrant grant =
        new MediaGrant(
            jwts.newId(),
            MediaGrant.SUBSCRIBE,
            account,
            request.streamName(),
            ip,
            s.tokenId(),
            s.trackingId(),
            s.clientCountry(),
            false,
            false,
            false,
            null,
            s.viewerTokenId(),
            request.sourceId(),
            jwts.expiryFromNow());
    String jwt = jwts.issue(grant);
    List<MediaUrl> urls = new ArrayList<>();
    // The chosen source's feed (a viewer picks a source), else the main one's.
    Optional<Feed> active =
        lifecycle.servedFeed(account + "/" + request.streamName(), request.sourceId());
    // Viewers go to the node carrying the stream; before it is live, where a publisher would go.
    MediaNodeRegistry.Node node =
        active
            .flatMap(feed -> nodes.node(feed.mediaNodeId))
            .orElseGet(
                () ->
                    nodes.choose(s.originCluster(), account, s.clientCountry(), clusterCountries));
    // HLS starts at the master playlist stream-service writes (renditions, alternate audio);
    // offered while the stream is live.
    active.ifPresent(
        feed -> urls.add(new MediaUrl("hls", node.hlsUrl() + "/hls/" + jwt + "/master.m3u8")));
    urls.add(new MediaUrl("rtmp", node.rtmpUrl() + "/" + request.streamName() + "?jwt=" + jwt));
    return Envelope.success(
        new DirectorResponse(
            urls.stream().map(MediaUrl::url).toList(),
            urls,
            jwt,
            secondsLeft(grant.expiresAt()),
            List.of(),
            account,
            node.clusterId(),
            null));
  }

  private static Decision.Settings allowed(Decision decision) {
    if (!decision.allowed()) {
      throw refusal(decision.reason(), decision.detail());
    }
    return decision.settings();
  }

  private static ApiProblemException refusal(String reason, String detail) {
    if ("authorization_unavailable".equals(reason)) {
      return new ApiProblemException(503, "Service Unavailable", reason, detail);
    }
    boolean unauthenticated = UNAUTHENTICATED.contains(reason);
    return new ApiProblemException(
        unauthenticated ? 401 : 403,
        unauthenticated ? "Unauthorized" : "Forbidden",
        reason,
        detail == null ? reason : detail);
  }

  private static String bearer(String authorization) {
    if (authorization == null) {
      return null;
    }
    String value = authorization.strip();
    if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      value = value.substring(7).strip();
    }
    // The reference SDKs send "NoAuth" for open streams.
    return value.isEmpty() || "NoAuth".equalsIgnoreCase(value) ? null : value;
  }

  private static long secondsLeft(Instant expiresAt) {
    return Math.max(0, Duration.between(Instant.now(), expiresAt).toSeconds());
  }
}
