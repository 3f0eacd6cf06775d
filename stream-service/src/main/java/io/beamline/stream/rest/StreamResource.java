package io.beamline.stream.rest;

import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.auth.Caller;
import io.beamline.platform.problem.ApiProblemException;
import io.beamline.stream.service.StreamControl;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Stream control (reference section 5): stop a live stream of the caller's account. */
@Path("/api/stream")
@Tag(name = "Stream control")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class StreamResource {

  /** {@code POST /api/stream/stop} body: {@code accountId/streamName}, or just the name. */
  public record StopRequest(@NotBlank @Size(max = 200) String streamId) {}

  /** The reference's answer: what level was stopped. */
  public record StopResult(String stoppingLevel) {}

  private final StreamControl control;
  private final Caller caller;

  public StreamResource(StreamControl control, Caller caller) {
    this.control = control;
    this.caller = caller;
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
