package io.beamline.syndication.rest;

import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.auth.Caller;
import io.beamline.syndication.service.TargetService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The restream targets of the caller's streams (a publish token's targets are managed on the token
 * in token-service). A change to a live stream's targets applies within seconds.
 */
@Path("/api/restream/targets")
@Tag(name = "Restream targets")
@SecurityRequirement(name = "apiKey")
public class TargetResource {

  private final TargetService targets;
  private final Caller caller;

  public TargetResource(TargetService targets, Caller caller) {
    this.targets = targets;
    this.caller = caller;
  }

  @POST
  @RolesAllowed(ApiScopes.RESTREAM_WRITE)
  @Operation(summary = "Add a restream target to a stream")
  @APIResponse(responseCode = "201", description = "Created")
  @APIResponse(responseCode = "400", description = "Invalid field, refused address or cap reached")
  public Response create(TargetService.TargetFields request) {
    var target = targets.create(caller.accountId(), request);
    return Response.status(Response.Status.CREATED)
        .entity(Envelope.success(RestreamViews.TargetView.of(target)))
        .build();
  }

  @GET
  @RolesAllowed(ApiScopes.RESTREAM_READ)
  @Operation(summary = "List the account's stream restream targets, of one stream if named")
  public Envelope<List<RestreamViews.TargetView>> list(
      @QueryParam("streamName") String streamName) {
    return Envelope.success(
        targets.list(caller.accountId(), streamName).stream()
            .map(RestreamViews.TargetView::of)
            .toList());
  }

  @GET
  @Path("/{id}")
  @RolesAllowed(ApiScopes.RESTREAM_READ)
  @Operation(summary = "Get one restream target")
  @APIResponse(responseCode = "404", description = "No such target in this account")
  public Envelope<RestreamViews.TargetView> get(@PathParam("id") UUID id) {
    return Envelope.success(RestreamViews.TargetView.of(targets.get(caller.accountId(), id)));
  }

  @PATCH
  @Path("/{id}")
  @RolesAllowed(ApiScopes.RESTREAM_WRITE)
  @Operation(summary = "Change a target's url, key, label or enabled flag (absent fields stay)")
  @APIResponse(responseCode = "404", description = "No such target in this account")
  public Envelope<RestreamViews.TargetView> update(
      @PathParam("id") UUID id, TargetService.TargetFields request) {
    return Envelope.success(
        RestreamViews.TargetView.of(targets.update(caller.accountId(), id, request)));
  }

  @DELETE
  @Path("/{id}")
  @RolesAllowed(ApiScopes.RESTREAM_WRITE)
  @Operation(summary = "Remove a restream target; its live push stops")
  @APIResponse(responseCode = "404", description = "No such target in this account")
  public Envelope<Boolean> delete(@PathParam("id") UUID id) {
    targets.delete(caller.accountId(), id);
    return Envelope.success(true);
  }
}
