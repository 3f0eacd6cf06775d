package io.beamline.token.authorize;

import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.auth.Caller;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code POST /api/token/explain}: tells an account owner why one of their tokens would be allowed
 * or refused for a hypothetical request, check by check, without binding or consuming anything.
 */
@Path("/api/token/explain")
@Tag(name = "Tokens")
@SecurityRequirement(name = "apiKey")
public class ExplainResource {

  private final DecisionEngine engine;
  private final Caller caller;

  public ExplainResource(DecisionEngine engine, Caller caller) {
    this.engine = engine;
    this.caller = caller;
  }

  @POST
  @RolesAllowed(ApiScopes.TOKENS_READ)
  @Operation(
      summary = "Explain the decision for a token and a hypothetical request",
      description =
          "Same body as the internal decision; accountId is always the caller's, so another"
              + " account's token is reported as token_not_found.")
  public Explanation explain(@Valid @NotNull AuthorizeRequest request) {
    return engine.explain(request, caller.accountId());
  }
}
