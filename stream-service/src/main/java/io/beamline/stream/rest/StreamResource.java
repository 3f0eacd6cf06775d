package io.beamline.stream.rest;

import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.auth.Caller;
import io.beamline.platform.problem.ApiProblemException;
import io.beamline.stream.service.StreamControl;
import io.beamline.stream.service.TokenServiceClient;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Stream control (reference section 5): stop one or every live stream of the caller's account, and
 * reprioritise a publish token's feeds.
 */
@Path("/api/stream")
@Tag(name = "Stream control")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class StreamResource {

  /** {@code POST /api/stream/stop} body: {@code accountId/streamName}, or just the name. */
  public record StopRequest(@NotBlank @Size(max = 200) String streamId) {}

  /** The reference's answer: what level was stopped. */
  public record StopResult(String stoppingLevel) {}

  /** {@code POST /api/stream/reprioritize} body (reference names). */
  public record ReprioritizeRequest(
      @NotNull @Positive Long tokenId, @NotNull Integer updatePriority) {}

  private final StreamControl control;
  private final Caller caller;
  private final TokenServiceClient tokenService;

  public StreamResource(StreamControl control, Caller caller, TokenServiceClient tokenService) {
    this.control = control;
    this.caller = caller;
    this.tokenService = tokenService;
  }

  @POST
  @Path("/stop/all")
  @Consumes(MediaType.WILDCARD)
  @RolesAllowed(ApiScopes.STREAMS_WRITE)
  @Operation(summary = "Stop every live stream of the account")
  public Envelope<StopResult> stopAll() {
    int stopped = control.stopAll(caller.accountId(), "stopped");
    return Envelope.success(new StopResult(stopped > 0 ? "Account" : "None"));
  }

  @POST
  @Path("/reprioritize")
  @RolesAllowed(ApiScopes.STREAMS_WRITE)
  @Operation(
      summary = "Set a publish token's priority and apply it to its live feeds at once",
      description =
          "The token's priority is saved in token-service (with the caller's key). Unlike the"
              + " reference, live feeds take the new priority in place, without reconnecting:"
              + " when that changes the feed a source is served by, source-switched is emitted"
              + " and its players are moved.")
  public Envelope<StopResult> reprioritize(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      @Valid @NotNull ReprioritizeRequest request) {
    tokenService.setPublishTokenPriority(
        authorization, request.tokenId(), request.updatePriority());
    int moved =
        control.reprioritize(caller.accountId(), request.tokenId(), request.updatePriority());
    return Envelope.success(new StopResult(moved > 0 ? "Feed" : "None"));
  }

  @POST
  @Path("/stop")
  @RolesAllowed(ApiScopes.STREAMS_WRITE)
  @Operation(summary = "Stop a live stream: its publishers and viewers are disconnected")
  public Envelope<StopResult> stop(@Valid @NotNull StopRequest request) {
    String account = caller.accountId();
    String name = request.streamId();
    int slash = name.indexOf('/');
    if (slash >= 0) {
      // Another account's stream id answers exactly like an unknown one.
      if (!name.substring(0, slash).equals(account)) {
        throw ApiProblemException.notFound("stream", name);
      }
      name = name.substring(slash + 1);
    }
    if (name.isBlank()) {
      throw ApiProblemException.badRequest("invalid_stream_id", "streamId: no stream name");
    }
    int stopped = control.stopStream(account, name, "stopped");
    if (stopped == 0) {
      throw ApiProblemException.notFound("live stream", request.streamId());
    }
    return Envelope.success(new StopResult("Stream"));
  }
}
