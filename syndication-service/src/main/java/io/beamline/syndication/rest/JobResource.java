package io.beamline.syndication.rest;

import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.auth.Caller;
import io.beamline.platform.problem.ApiProblemException;
import io.beamline.platform.problem.Problem;
import io.beamline.syndication.service.InvalidTargetException;
import io.beamline.syndication.service.JobQueries;
import io.beamline.syndication.service.RestreamPlanner;
import io.beamline.syndication.service.TargetService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The restream jobs of the caller's streams, and the sync that re-applies a live stream's targets.
 */
@Path("/api/restream")
@Tag(name = "Restream jobs")
@SecurityRequirement(name = "apiKey")
public class JobResource {

  private final JobQueries jobs;
  private final RestreamPlanner planner;
  private final TargetService targets;
  private final Caller caller;

  public JobResource(
      JobQueries jobs, RestreamPlanner planner, TargetService targets, Caller caller) {
    this.jobs = jobs;
    this.planner = planner;
    this.targets = targets;
    this.caller = caller;
  }

  /**
   * Body of a sync.
   *
   * @param streamName the live stream whose targets to apply now
   */
  public record SyncRequest(String streamName) {}

  @GET
  @Path("/jobs")
  @RolesAllowed(ApiScopes.RESTREAM_READ)
  @Operation(summary = "The account's restream jobs, newest first (of one stream if named)")
  public Envelope<List<RestreamViews.JobView>> list(
      @QueryParam("streamName") String streamName,
      @QueryParam("active") @DefaultValue("false") boolean active) {
    return Envelope.success(
        jobs.list(caller.accountId(), streamName, active, 200).stream()
            .map(RestreamViews.JobView::of)
            .toList());
  }

  @GET
  @Path("/jobs/{id}")
  @RolesAllowed(ApiScopes.RESTREAM_READ)
  @Operation(summary = "One restream job")
  @APIResponse(responseCode = "404", description = "No such job in this account")
  public Envelope<RestreamViews.JobView> get(@PathParam("id") UUID id) {
    return Envelope.success(RestreamViews.JobView.of(jobs.get(caller.accountId(), id)));
  }

  @POST
  @Path("/sync")
  @RolesAllowed(ApiScopes.RESTREAM_WRITE)
  @Operation(
      summary =
          "Re-apply a live stream's targets now (token and stream targets); failed jobs start"
              + " again")
  @APIResponse(responseCode = "404", description = "The stream is not live")
  public Envelope<List<RestreamViews.JobView>> sync(SyncRequest request) {
    if (request == null || request.streamName() == null || request.streamName().isBlank()) {
      throw new InvalidTargetException(
          List.of(new Problem.FieldError("streamName", "is required")));
    }
    String account = caller.accountId();
    if (!targets.isLive(account, request.streamName())) {
      throw new ApiProblemException(
          404, "Not Found", "stream_not_live", "stream " + request.streamName() + " is not live");
    }
    planner.sync(TargetService.streamId(account, request.streamName()));
    return Envelope.success(
        jobs.list(account, request.streamName(), true, 200).stream()
            .map(RestreamViews.JobView::of)
            .toList());
  }
}
