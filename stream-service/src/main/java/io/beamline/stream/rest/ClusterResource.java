package io.beamline.stream.rest;

import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.auth.Caller;
import io.beamline.platform.problem.ApiProblemException;
import io.beamline.stream.config.StreamConfig;
import io.beamline.stream.service.MediaNodeRegistry;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Clusters (reference sections 5 and 11): where media can go, and the account's default. */
@Path("/api/cluster")
@Tag(name = "Clusters")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ClusterResource {

  /** Where a cluster is. */
  public record Location(String city, String region, String country) {}

  /** One cluster as the reference shows it; {@code srt} stays null until SRT ingest exists. */
  public record ClusterView(
      String id, String name, String rtmp, String hls, String srt, Location location) {}

  /** The account's default and every cluster with a live media node. */
  public record Clusters(String defaultCluster, List<ClusterView> availableClusters) {}

  /** {@code PUT /api/cluster} body. */
  public record DefaultCluster(@NotBlank @Size(max = 64) String defaultCluster) {}

  private final MediaNodeRegistry registry;
  private final Caller caller;
  private final StreamConfig config;

  public ClusterResource(MediaNodeRegistry registry, Caller caller, StreamConfig config) {
    this.registry = registry;
    this.caller = caller;
    this.config = config;
  }

  @GET
  @RolesAllowed(ApiScopes.STREAMS_READ)
  @Operation(summary = "The account's default cluster and the clusters available now")
  public Envelope<Clusters> get() {
    return Envelope.success(clusters());
  }

  @PUT
  @RolesAllowed(ApiScopes.STREAMS_WRITE)
  @Operation(summary = "Choose the account's default cluster (one of the available clusters)")
  public Envelope<Clusters> put(@Valid @NotNull DefaultCluster body) {
    if (!registry.clusters().contains(body.defaultCluster())) {
      throw new ApiProblemException(
          400,
          "Bad Request",
          "unknown_cluster",
          "defaultCluster: " + body.defaultCluster() + " is not an available cluster");
    }
    registry.setAccountDefault(caller.accountId(), body.defaultCluster());
    return Envelope.success(clusters());
  }

  private Clusters clusters() {
    List<ClusterView> available =
        registry.clusters().stream()
            .map(id -> registry.nodeOf(id).map(node -> view(id, node)).orElse(null))
            .filter(java.util.Objects::nonNull)
            .toList();
    String chosen =
        registry.accountDefault(caller.accountId()).orElse(config.mediaNode().clusterId());
    return new Clusters(chosen, available);
  }

  private ClusterView view(String id, MediaNodeRegistry.Node node) {
    StreamConfig.Cluster details = config.clusters().get(id);
    return new ClusterView(
        id,
        details == null ? id : details.name().orElse(id),
        node.rtmpUrl(),
        node.hlsUrl(),
        null,
        details == null
            ? null
            : new Location(
                details.city().orElse(null),
                details.region().orElse(null),
                details.country().orElse(null)));
  }
}
