package io.beamline.platform.auth;

import io.quarkus.security.Authenticated;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Tells a caller which account, key and scopes this service sees in its API key. */
@Path("/api/auth/whoami")
@Tag(name = "Auth")
@SecurityRequirement(name = "apiKey")
public class CallerResource {

  /**
   * @param accountId the account every query of this key is scoped to
   * @param keyId the API key id
   * @param scopes what the key may do
   */
  public record WhoAmI(String accountId, String keyId, Set<String> scopes) {}

  private final Caller caller;

  public CallerResource(Caller caller) {
    this.caller = caller;
  }

  @GET
  @Authenticated
  @Operation(summary = "The account, key id and scopes of the calling API key")
  public WhoAmI whoAmI() {
    return new WhoAmI(caller.accountId(), caller.keyId(), new TreeSet<>(caller.scopes()));
  }
}
