package io.beamline.platform.testapp;

import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.auth.Caller;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.util.List;

/** Endpoints of the platform tests that exercise API-key checks and problem responses. */
@Path("/test")
public class WhoAmIResource {

  /** The body of the validation test. */
  public record Widget(
      @NotBlank String label, @Min(1) @Max(10) int size, List<@Size(max = 3) String> tags) {}

  public record WhoAmI(String accountId, String keyId) {}

  private final Caller caller;

  public WhoAmIResource(Caller caller) {
    this.caller = caller;
  }

  @GET
  @Path("/whoami")
  @RolesAllowed(ApiScopes.KEYS_READ)
  public WhoAmI whoAmI() {
    return new WhoAmI(caller.accountId(), caller.keyId());
  }

  @POST
  @Path("/widgets")
  @RolesAllowed(ApiScopes.KEYS_WRITE)
  public Widget create(@Valid Widget request, @QueryParam("page") @Min(1) Integer page) {
    return request;
  }
}
