package io.beamline.token.rest;

import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.auth.Caller;
import io.beamline.token.service.ApiKeyService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The caller's account's API keys: create, list, get, rotate and revoke. */
@Path("/api/keys")
@Tag(name = "API keys")
@SecurityRequirement(name = "apiKey")
public class ApiKeyResource {

  private final ApiKeyService apiKeys;
  private final Caller caller;

  public ApiKeyResource(ApiKeyService apiKeys, Caller caller) {
    this.apiKeys = apiKeys;
    this.caller = caller;
  }

  @POST
  @RolesAllowed(ApiScopes.KEYS_WRITE)
  @Operation(summary = "Create an API key with some of the caller's scopes")
  @APIResponse(responseCode = "201", description = "Created; the key is in the body, shown once")
  public Response create(@Valid @NotNull CreateApiKeyRequest request) {
    IssuedApiKey issued =
        IssuedApiKey.of(
            apiKeys.issue(
                caller.accountId(),
                request.label(),
                request.scopes(),
                request.expiresOn(),
                caller.scopes()));
    return Response.status(Response.Status.CREATED).entity(issued).build();
  }

  @GET
  @RolesAllowed(ApiScopes.KEYS_READ)
  @Operation(summary = "List the account's API keys, oldest first")
  public ApiKeyPage list(
      @QueryParam("page") @DefaultValue("1") @Min(1) int page,
      @QueryParam("itemsOnPage") @DefaultValue("25") @Min(1) @Max(100) int itemsOnPage) {
    String account = caller.accountId();
    return new ApiKeyPage(
        apiKeys.list(account, page, itemsOnPage).stream().map(ApiKeyView::of).toList(),
        page,
        itemsOnPage,
        apiKeys.count(account));
  }

  @GET
  @Path("/{id}")
  @RolesAllowed(ApiScopes.KEYS_READ)
  @Operation(summary = "Get one API key")
  @APIResponse(responseCode = "404", description = "No such key in this account")
  public ApiKeyView get(@PathParam("id") long id) {
    return ApiKeyView.of(apiKeys.get(caller.accountId(), id));
  }

  @POST
  @Path("/{id}/rotate")
  @RolesAllowed(ApiScopes.KEYS_WRITE)
  @Operation(summary = "Replace a key with a new one of the same scopes; the old one is revoked")
  public IssuedApiKey rotate(@PathParam("id") long id) {
    return IssuedApiKey.of(apiKeys.rotate(caller.accountId(), id, caller.scopes()));
  }

  @DELETE
  @Path("/{id}")
  @RolesAllowed(ApiScopes.KEYS_WRITE)
  @Operation(summary = "Revoke a key; every service refuses it within seconds")
  public ApiKeyView revoke(@PathParam("id") long id) {
    return ApiKeyView.of(apiKeys.revoke(caller.accountId(), id, "revoked"));
  }
}
