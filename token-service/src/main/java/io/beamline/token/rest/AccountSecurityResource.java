package io.beamline.token.rest;

import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.auth.Caller;
import io.beamline.token.AccountSecurity;
import io.beamline.token.service.AccountSecurityService;
import io.beamline.token.service.TokenValidationException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The account's geo-blocking defaults (reference {@code /api/v3/account/security}), inherited by
 * tokens that set no countries themselves.
 */
@Path("/api")
@Tag(name = "Account security")
@SecurityRequirement(name = "apiKey")
@Produces(MediaType.APPLICATION_JSON)
public class AccountSecurityResource {

  /**
   * The defaults.
   *
   * @param allowedCountries ISO-3166 alpha-2 codes viewers must come from; empty = any
   * @param deniedCountries codes viewers must not come from
   */
  public record SecurityView(List<String> allowedCountries, List<String> deniedCountries) {
    static SecurityView of(AccountSecurity security) {
      return new SecurityView(security.allowedCountries, security.deniedCountries);
    }
  }

  /**
   * A change; each list replaces the stored one when given, {@code []} clears it. The reference's
   * {@code update*} names and the plain names are both accepted (not both for one list).
   *
   * @param updateAllowedCountries new allowed list (reference name)
   * @param updateDeniedCountries new denied list (reference name)
   * @param allowedCountries new allowed list
   * @param deniedCountries new denied list
   */
  public record SecurityUpdate(
      List<String> updateAllowedCountries,
      List<String> updateDeniedCountries,
      List<String> allowedCountries,
      List<String> deniedCountries) {}

  private final AccountSecurityService security;
  private final Caller caller;

  public AccountSecurityResource(AccountSecurityService security, Caller caller) {
    this.security = security;
    this.caller = caller;
  }

  @GET
  @Path("/account/security")
  @RolesAllowed(ApiScopes.TOKENS_READ)
  @Operation(summary = "The account's allowed/denied countries")
  public Envelope<SecurityView> get() {
    return Envelope.success(SecurityView.of(security.get(caller.accountId())));
  }

  @GET
  @Path("/v3/account/security")
  @RolesAllowed(ApiScopes.TOKENS_READ)
  @Operation(summary = "The account's allowed/denied countries (reference v3 path)")
  public Envelope<SecurityView> getV3() {
    return get();
  }

  @PUT
  @Path("/account/security")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(ApiScopes.TOKENS_WRITE)
  @Operation(summary = "Change the account's allowed/denied countries")
  public Envelope<SecurityView> update(SecurityUpdate update) {
    if (update == null) {
      throw TokenValidationException.of("request", "a JSON object body is required");
    }
    if (update.updateAllowedCountries() != null && update.allowedCountries() != null) {
      throw TokenValidationException.of(
          "allowedCountries", "send either updateAllowedCountries or allowedCountries");
    }
    if (update.updateDeniedCountries() != null && update.deniedCountries() != null) {
      throw TokenValidationException.of(
          "deniedCountries", "send either updateDeniedCountries or deniedCountries");
    }
    boolean v3Allowed = update.updateAllowedCountries() != null;
    boolean v3Denied = update.updateDeniedCountries() != null;
    return Envelope.success(
        SecurityView.of(
            security.update(
                caller.accountId(),
                v3Allowed ? update.updateAllowedCountries() : update.allowedCountries(),
                v3Allowed ? "updateAllowedCountries" : "allowedCountries",
                v3Denied ? update.updateDeniedCountries() : update.deniedCountries(),
                v3Denied ? "updateDeniedCountries" : "deniedCountries")));
  }

  @PUT
  @Path("/v3/account/security")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(ApiScopes.TOKENS_WRITE)
  @Operation(summary = "Change the account's allowed/denied countries (reference v3 path)")
  public Envelope<SecurityView> updateV3(SecurityUpdate update) {
    return update(update);
  }
}
