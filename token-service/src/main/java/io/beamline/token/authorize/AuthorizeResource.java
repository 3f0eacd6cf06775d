package io.beamline.token.authorize;

import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code POST /internal/authorize}: the publish/subscribe decision for stream-service and
 * media-server callbacks. Answered on the event loop from memory; only first-use IP binding, viewer
 * caps and single-use credentials move to a worker thread for the database. The common case (a
 * recently verified caller, a valid body, no database step) is answered before reaching here by
 * {@link AuthorizeRoute}, with the same decision and JSON.
 */
@Path("/internal/authorize")
@Tag(name = "Internal")
@SecurityRequirement(name = "apiKey")
public class AuthorizeResource {

  private final DecisionEngine engine;
  private final InternalCallers callers;

  public AuthorizeResource(DecisionEngine engine, InternalCallers callers) {
    this.engine = engine;
    this.callers = callers;
  }

  @POST
  @NonBlocking
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Decide whether a publisher or viewer may go ahead (platform services only)",
      description =
          "200 with allowed true and the effective settings, or allowed false with a stable"
              + " reason. Needs an API key with scope platform:internal.")
  @APIResponse(responseCode = "200", description = "The decision, allow or deny")
  @APIResponse(responseCode = "401", description = "No valid API key")
  @APIResponse(responseCode = "403", description = "The key lacks platform:internal")
  public Uni<Decision> authorize(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      @Valid @NotNull AuthorizeRequest request) {
    if (callers.trustedNow(authorization)) {
      try {
        return Uni.createFrom().item(engine.decide(request, false));
      } catch (DecisionEngine.NeedsBlocking needsDatabase) {
        return onWorker(() -> engine.decide(request, true));
      }
    }
    return onWorker(
        () -> {
          callers.verify(authorization);
          return engine.decide(request, true);
        });
  }

  private static Uni<Decision> onWorker(java.util.function.Supplier<Decision> work) {
    return Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
  }
}
