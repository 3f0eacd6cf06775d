package io.beamline.token.rest;

import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.auth.Caller;
import io.beamline.token.Account;
import io.beamline.token.service.AccountService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Accounts: the caller's own, and new ones for operators. */
@Path("/api/accounts")
@Tag(name = "Accounts")
@SecurityRequirement(name = "apiKey")
public class AccountResource {

  /**
   * @param name the new account's display name
   */
  public record CreateAccountRequest(@NotBlank @Size(max = 200) String name) {}

  /**
   * @param id account id @param name display name @param createdOn when it was created
   */
  public record AccountView(String id, String name, Instant createdOn) {
    static AccountView of(Account account) {
      return new AccountView(account.id, account.name, account.createdAt);
    }
  }

  /**
   * @param account the new account @param apiKey its first key, with every account scope
   */
  public record CreatedAccount(AccountView account, IssuedApiKey apiKey) {}

  private final AccountService accounts;
  private final Caller caller;

  public AccountResource(AccountService accounts, Caller caller) {
    this.accounts = accounts;
    this.caller = caller;
  }

  @GET
  @Path("/me")
  @RolesAllowed(ApiScopes.KEYS_READ)
  @Operation(summary = "The caller's account")
  public AccountView me() {
    return AccountView.of(accounts.get(caller.accountId()));
  }

  @POST
  @RolesAllowed(ApiScopes.PLATFORM_ADMIN)
  @Operation(summary = "Create an account and its first API key (operators only)")
  public Response create(@Valid @NotNull CreateAccountRequest request) {
    var issued = accounts.create(request.name(), false);
    var created =
        new CreatedAccount(
            AccountView.of(accounts.get(issued.record().accountId)), IssuedApiKey.of(issued));
    return Response.status(Response.Status.CREATED).entity(created).build();
  }
}
