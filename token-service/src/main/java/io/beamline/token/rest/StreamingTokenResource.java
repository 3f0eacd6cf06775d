package io.beamline.token.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.auth.Caller;
import io.beamline.token.StreamingTokenKind;
import io.beamline.token.service.StreamingTokenService;
import io.beamline.token.service.TokenRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * The reference API's endpoints for one kind of streaming token, scoped to the caller's account;
 * {@link PublishTokenResource} and {@link SubscribeTokenResource} give it its path.
 */
public abstract class StreamingTokenResource {

  private final TokenEndpoints endpoints;
  private final Caller caller;
  private final StreamingTokenKind kind;
  private final String path;

  protected StreamingTokenResource(
      TokenEndpoints endpoints, Caller caller, StreamingTokenKind kind, String path) {
    this.endpoints = endpoints;
    this.caller = caller;
    this.kind = kind;
    this.path = path;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(ApiScopes.TOKENS_WRITE)
  @Operation(summary = "Create a token; the answer carries its secret")
  @RequestBody(content = @Content(schema = @Schema(implementation = TokenRequest.class)))
  @APIResponse(responseCode = "201", description = "Created")
  @APIResponse(responseCode = "400", description = "A field is invalid (problem+json names it)")
  public Response create(JsonNode body) {
    return endpoints.create(caller.accountId(), kind, body, path);
  }

  @GET
  @Path("/{tokenId}")
  @RolesAllowed(ApiScopes.TOKENS_READ)
  @Operation(summary = "Read a token")
  @APIResponse(responseCode = "404", description = "No such token in this account")
  public Envelope<Object> get(@PathParam("tokenId") long tokenId) {
    return endpoints.get(caller.accountId(), kind, tokenId);
  }

  @PUT
  @Path("/{tokenId}")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(ApiScopes.TOKENS_WRITE)
  @Operation(summary = "Update a token (v1 names: updateAllowedOrigins, updateAllowedCountries...)")
  @RequestBody(content = @Content(schema = @Schema(implementation = TokenRequest.class)))
  public Envelope<Object> updateV1(@PathParam("tokenId") long tokenId, JsonNode body) {
    return endpoints.update(caller.accountId(), kind, tokenId, body, true);
  }

  @DELETE
  @Path("/{tokenId}")
  @RolesAllowed(ApiScopes.TOKENS_WRITE)
  @Operation(summary = "Delete a token; live sessions using it are ended")
  public Envelope<Boolean> delete(@PathParam("tokenId") long tokenId) {
    return endpoints.delete(caller.accountId(), kind, tokenId);
  }

  @GET
  @Path("/list")
  @RolesAllowed(ApiScopes.TOKENS_READ)
  @Operation(summary = "One page of the account's tokens of this kind (total in X-Total-Count)")
  public Response list(
      @QueryParam("page") String page,
      @QueryParam("itemsOnPage") String itemsOnPage,
      @QueryParam("sortBy") String sortBy,
      @QueryParam("isDescending") String isDescending) {
    return endpoints.list(
        caller.accountId(), kind, null, null, false, page, itemsOnPage, sortBy, isDescending);
  }

  @GET
  @Path("/list_by_name")
  @RolesAllowed(ApiScopes.TOKENS_READ)
  @Operation(
      summary =
          "Tokens of this kind whose label and/or stream names contain name"
              + " (filterBy: None, TokenName, StreamName, TokenOrStreamName)")
  public Response listByName(
      @QueryParam("name") String name,
      @QueryParam("filterBy") String filterBy,
      @QueryParam("page") String page,
      @QueryParam("itemsOnPage") String itemsOnPage,
      @QueryParam("sortBy") String sortBy,
      @QueryParam("isDescending") String isDescending) {
    return endpoints.list(
        caller.accountId(), kind, name, filterBy, true, page, itemsOnPage, sortBy, isDescending);
  }

  @PATCH
  @Path("/disable")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(ApiScopes.TOKENS_WRITE)
  @Operation(summary = "Disable several tokens; per-token results")
  public Envelope<StreamingTokenService.BulkResult> disable(TokenEndpoints.DisableRequest request) {
    return endpoints.disable(caller.accountId(), kind, request);
  }
}
