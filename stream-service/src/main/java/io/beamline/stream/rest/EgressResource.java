package io.beamline.stream.rest;

import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.problem.ApiProblemException;
import io.beamline.stream.Feed;
import io.beamline.stream.config.StreamConfig;
import io.beamline.stream.service.MediaGrant;
import io.beamline.stream.service.MediaJwts;
import io.beamline.stream.service.StreamLifecycle;
import io.quarkus.logging.Log;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Pull URLs for the platform's own readers (recording and restream workers): a single-use media JWT
 * that the media node's play callback serves the source's current feed, never counted as a viewer.
 */
@Path("/internal/egress")
@Tag(name = "Internal")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class EgressResource {

  /** A worker only needs the grant long enough to start ffmpeg. */
  static final Duration GRANT_LIFETIME = Duration.ofSeconds(30);

  /**
   * What a worker wants to read.
   *
   * @param streamId {@code accountId/streamName}
   * @param sourceId the source to follow; null = the main one
   * @param purpose {@code recording} or {@code restream}, for logs and metrics
   * @param workerId who asks, for logs
   */
  public record EgressRequest(
      @NotBlank @Size(max = 200) @Pattern(regexp = "[^/]+/.+", message = "accountId/streamName")
          String streamId,
      @Size(max = 128) String sourceId,
      @NotBlank @Pattern(regexp = "recording|restream") String purpose,
      @Size(max = 200) String workerId) {}

  /** Where and how to pull: {@code ffmpeg -i <rtmpUrl>} starts one internal-reader session. */
  public record Egress(
      String rtmpUrl,
      String streamId,
      String accountId,
      String streamName,
      String feedId,
      String sourceId,
      Integer priority,
      String mediaNodeId,
      Instant expiresAt) {}

  private final StreamLifecycle lifecycle;
  private final MediaJwts jwts;
  private final StreamConfig.MediaNode node;

  public EgressResource(StreamLifecycle lifecycle, MediaJwts jwts, StreamConfig config) {
    this.lifecycle = lifecycle;
    this.jwts = jwts;
    this.node = config.mediaNode();
  }

  @POST
  @RolesAllowed(ApiScopes.PLATFORM_INTERNAL)
  @Operation(
      summary = "A single-use pull URL of a live source for a recording or restream worker",
      description =
          "404 stream-not-live when the source has no live feed. When the served feed changes"
              + " (failover) or the stream ends, the reader is disconnected: ask again.")
  public Envelope<Egress> egress(@Valid @NotNull EgressRequest request) {
    String streamId = request.streamId();
    String sourceId =
        request.sourceId() == null || request.sourceId().isBlank() ? null : request.sourceId();
    Feed feed =
        lifecycle
            .servedFeed(streamId, sourceId)
            .orElseThrow(
                () ->
                    new ApiProblemException(
                        404,
                        "Not Found",
                        "stream_not_live",
                        "stream "
                            + streamId
                            + (sourceId == null ? "" : " source " + sourceId)
                            + " has no live feed"));
    int slash = streamId.indexOf('/');
    String accountId = streamId.substring(0, slash);
    String streamName = streamId.substring(slash + 1);
    Instant expiresAt = Instant.now().plus(GRANT_LIFETIME);
    MediaGrant grant =
        new MediaGrant(
            jwts.newId(),
            MediaGrant.EGRESS,
            accountId,
            streamName,
            null,
            feed.tokenId,
            null,
            null,
            false,
            false,
            false,
            null,
            null,
            sourceId,
            expiresAt);
    String jwt = jwts.issue(grant);
    Log.infof(
        "egress grant for %s (%s) to %s %s: feed %s",
        streamId,
        sourceId == null ? "main source" : sourceId,
        request.purpose(),
        request.workerId(),
        feed.id);
    return Envelope.success(
        new Egress(
            node.rtmpUrl() + "/" + streamName + "?jwt=" + jwt,
            streamId,
            accountId,
            streamName,
            feed.id,
            feed.sourceId,
            feed.priority,
            feed.mediaNodeId,
            expiresAt));
  }
}
