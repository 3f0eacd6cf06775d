package io.beamline.stream.rest;

import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.auth.Caller;
import io.beamline.platform.problem.ApiProblemException;
import io.beamline.stream.Feed;
import io.beamline.stream.LiveStream;
import io.beamline.stream.service.StreamLifecycle;
import jakarta.annotation.security.RolesAllowed;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Monitoring (reference section 5): the caller's streams with their feeds and viewer counts. */
@Path("/api/monitoring/streams")
@Tag(name = "Monitoring")
@Produces(MediaType.APPLICATION_JSON)
public class MonitoringResource {

  /** One feed as monitoring shows it. */
  public record FeedView(
      String feedId,
      String sourceId,
      String simulcastId,
      Integer priority,
      boolean isRedundant,
      String serverId,
      long tokenId,
      String protocol,
      String clientCountry,
      Instant startedAt,
      long bytesIn) {}

  /** One stream as monitoring shows it. */
  public record StreamView(
      String streamId,
      String streamName,
      String state,
      boolean active,
      long viewerCount,
      long internalReaders,
      List<String> clusters,
      Instant startedAt,
      Instant endedAt,
      List<FeedView> feeds) {}

  private final EntityManager em;
  private final StreamLifecycle lifecycle;
  private final Caller caller;

  public MonitoringResource(EntityManager em, StreamLifecycle lifecycle, Caller caller) {
    this.em = em;
    this.lifecycle = lifecycle;
    this.caller = caller;
  }

  @GET
  @RolesAllowed(ApiScopes.STREAMS_READ)
  @Transactional
  @Operation(summary = "The account's live and recent streams, most recently changed first")
  public Envelope<List<StreamView>> list(
      @QueryParam("active") Boolean active,
      @QueryParam("page") @DefaultValue("1") @Min(1) int page,
      @QueryParam("itemsOnPage") @DefaultValue("25") @Min(1) @Max(100) int itemsOnPage) {
    String jpql =
        "from LiveStream where accountId = ?1"
            + (active == null ? "" : active ? " and state = 'live'" : " and state <> 'live'")
            + " order by updatedAt desc";
    List<LiveStream> streams =
        em.createQuery(jpql, LiveStream.class)
            .setParameter(1, caller.accountId())
            .setFirstResult((page - 1) * itemsOnPage)
            .setMaxResults(itemsOnPage)
            .getResultList();
    return Envelope.success(streams.stream().map(this::view).toList());
  }

  @GET
  @Path("/{streamName}")
  @RolesAllowed(ApiScopes.STREAMS_READ)
  @Transactional
  @Operation(summary = "One stream of the account: viewer count and live feeds")
  public Envelope<StreamView> one(@PathParam("streamName") String streamName) {
    LiveStream stream =
        lifecycle.stream(caller.accountId(), streamName)
            .orElseThrow(() -> ApiProblemException.notFound("stream", streamName));
    return Envelope.success(view(stream));
  }

  private StreamView view(LiveStream stream) {
    List<Feed> feeds = lifecycle.liveFeeds(stream.id);
    List<io.beamline.stream.ViewerSession> sessions = lifecycle.liveViewers(stream.id);
    // Recording and restream workers read the stream too, but they are not its audience.
    long internalReaders = sessions.stream().filter(v -> v.internalReader).count();
    long viewers = sessions.size() - internalReaders;
    return new StreamView(
        stream.id,
        stream.streamName,
        stream.state,
        LiveStream.LIVE.equals(stream.state),
        viewers,
        internalReaders,
        stream.clusterId == null ? List.of() : List.of(stream.clusterId),
        stream.startedAt,
        stream.endedAt,
        feeds.stream()
            .map(
                f ->
                    new FeedView(
                        f.id,
                        f.sourceId,
                        f.simulcastId,
                        f.priority,
                        feeds.stream()
                            .anyMatch(
                                o ->
                                    o != f
                                        && java.util.Objects.equals(o.sourceId, f.sourceId)
                                        && java.util.Objects.equals(o.simulcastId, f.simulcastId)),
                        f.mediaNodeId,
                        f.tokenId,
                        f.protocol,
                        f.clientCountry,
                        f.startedAt,
                        f.bytesIn))
            .toList());
  }
}
