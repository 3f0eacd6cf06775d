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
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The caller's account's subscribe tokens, with the reference API's paths and field names. */
@Path(SubscribeTokenResource.PATH)
@Tag(name = "Subscribe tokens")
@SecurityRequirement(name = "apiKey")
@Produces(MediaType.APPLICATION_JSON)
public class SubscribeTokenResource {

  static final String PATH = "/api/subscribe_token";
  private static final StreamingTokenKind KIND = StreamingTokenKind.SUBSCRIBE;

  private final TokenEndpoints endpoints;
  private final Caller caller;

  public SubscribeTokenResource(TokenEndpoints endpoints, Caller caller) {
    this.endpoints = endpoints;
    this.caller = caller;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(ApiScopes.TOKENS_WRITE)
  @Operation(summary = "Create a subscribe token; the answer carries its secret")
  @RequestBody(content = @Content(schema = @Schema(implementation = TokenRequest.class)))
  @APIResponse(responseCode = "201", description = "Created")
  @APIResponse(responseCode = "400", description = "A field is invalid (problem+json names it)")
  public Response create(JsonNode body) {
    return endpoints.create(caller.accountId(), KIND, body, PATH);
  }

  @GET
  @Path("/{tokenId}")
  @RolesAllowed(ApiScopes.TOKENS_READ)
  @Operation(summary = "Read a subscribe token")
  @APIResponse(responseCode = "404", description = "No such token in this account")
  public Envelope<Object> get(@PathParam("tokenId") long tokenId) {
    return endpoints.get(caller.accountId(), KIND, tokenId);
  }

  @PUT
  @Path("/{tokenId}")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(ApiScopes.TOKENS_WRITE)
  @Operation(
      summary =
          "Update a subscribe token (v1 names: updateAllowedOrigins, updateAllowedCountries...)")
  @RequestBody(content = @Content(schema = @Schema(implementation = TokenRequest.class)))
  public Envelope<Object> updateV1(@PathParam("tokenId") long tokenId, JsonNode body) {
    return endpoints.update(caller.accountId(), KIND, tokenId, body, true);
  }

  @DELETE
  @Path("/{tokenId}")
  @RolesAllowed(ApiScopes.TOKENS_WRITE)
  @Operation(summary = "Delete a subscribe token; live sessions using it are ended")
  public Envelope<Boolean> delete(@PathParam("tokenId") long tokenId) {
    return endpoints.delete(caller.accountId(), KIND, tokenId);
  }

  @GET
  @Path("/list")
  @RolesAllowed(ApiScopes.TOKENS_READ)
  @Operation(summary = "One page of the account's subscribe tokens (total in X-Total-Count)")
  public Response list(
      @QueryParam("page") String page,
      @QueryParam("itemsOnPage") String itemsOnPage,
      @QueryParam("sortBy") String sortBy,
      @QueryParam("isDescending") String isDescending) {
    return endpoints.list(
        caller.accountId(), KIND, null, null, false, page, itemsOnPage, sortBy, isDescending);
  }

  @GET
  @Path("/list_by_name")
  @RolesAllowed(ApiScopes.TOKENS_READ)
  @Operation(
      summary =
          "Subscribe tokens whose label and/or stream names contain name"
              + " (filterBy: None, TokenName, StreamName, TokenOrStreamName)")
  public Response listByName(
      @QueryParam("name") String name,
      @QueryParam("filterBy") String filterBy,
      @QueryParam("page") String page,
      @QueryParam("itemsOnPage") String itemsOnPage,
      @QueryParam("sortBy") String sortBy,
      @QueryParam("isDescending") String isDescending) {
    return endpoints.list(
        caller.accountId(), KIND, name, filterBy, true, page, itemsOnPage, sortBy, isDescending);
  }

  @PATCH
  @Path("/disable")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(ApiScopes.TOKENS_WRITE)
  @Operation(summary = "Disable several subscribe tokens; per-token results")
  public Envelope<StreamingTokenService.BulkResult> disable(TokenEndpoints.DisableRequest request) {
    return endpoints.disable(caller.accountId(), KIND, request);
  }
}
