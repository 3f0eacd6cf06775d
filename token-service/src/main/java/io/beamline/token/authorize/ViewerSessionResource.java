package io.beamline.token.authorize;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /internal/viewer-sessions}: stream-service reports when a viewer's media starts and ends,
 * which is when viewer caps and single-use viewer tokens take effect.
 */
@Path("/internal/viewer-sessions")
@Tag(name = "Internal")
@SecurityRequirement(name = "apiKey")
public class ViewerSessionResource {

  private final ViewerSessions sessions;
  private final InternalCallers callers;

  public ViewerSessionResource(ViewerSessions sessions, InternalCallers callers) {
    this.sessions = sessions;
    this.callers = callers;
  }

  @POST
  @Operation(summary = "Admit a viewer whose media is starting (platform services only)")
  @APIResponse(responseCode = "204", description = "Admitted")
  @APIResponse(
      responseCode = "409",
      description = "viewer_limit_reached or token_already_used: stop the viewer's media")
  public Response start(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      @Valid @NotNull ViewerSessionStart start) {
    callers.verify(authorization);
    sessions.start(start);
    return Response.noContent().build();
  }

  @DELETE
  @Path("/{viewerSessionId}")
  @Operation(summary = "A viewer's media ended (platform services only)")
  @APIResponse(responseCode = "204", description = "Ended (or unknown)")
  public Response end(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      @PathParam("viewerSessionId") @Size(max = 128) String viewerSessionId) {
    callers.verify(authorization);
    sessions.end(viewerSessionId);
    return Response.noContent().build();
  }
}
