package io.beamline.token.rest;

import io.beamline.platform.auth.ApiScopes;
import io.beamline.token.service.SigningKeys;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Operator control of the keys that sign API keys. */
@Path("/api/signing-keys")
@Tag(name = "Keys")
@SecurityRequirement(name = "apiKey")
public class SigningKeyResource {

  /**
   * @param kid the id of the key that signs new API keys from now on
   */
  public record Rotated(String kid) {}

  private final SigningKeys signingKeys;

  public SigningKeyResource(SigningKeys signingKeys) {
    this.signingKeys = signingKeys;
  }

  @POST
  @Path("/rotate")
  @RolesAllowed(ApiScopes.PLATFORM_ADMIN)
  @Operation(summary = "Start signing with a new key; keys signed by the old one stay valid")
  public Rotated rotate() {
    return new Rotated(signingKeys.rotate());
  }
}
