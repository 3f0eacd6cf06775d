package io.beamline.token.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.auth.Caller;
import io.beamline.token.StreamingTokenKind;
import io.beamline.token.service.TokenRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The v2 token updates: the resource's own field names; absent keeps, {@code null} clears. */
@Path("/api/v2")
@Tag(name = "Token updates (v2)")
@SecurityRequirement(name = "apiKey")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TokenV2Resource {

  private final TokenEndpoints endpoints;
  private final Caller caller;

  public TokenV2Resource(TokenEndpoints endpoints, Caller caller) {
    this.endpoints = endpoints;
    this.caller = caller;
  }

  @PUT
  @Path("/publish_token/{tokenId}")
  @RolesAllowed(ApiScopes.TOKENS_WRITE)
  @Operation(summary = "Update a publish token (refreshToken, isActive, any resource field)")
  @RequestBody(content = @Content(schema = @Schema(implementation = TokenRequest.class)))
  public Envelope<Object> updatePublish(@PathParam("tokenId") long tokenId, JsonNode body) {
    return endpoints.update(caller.accountId(), StreamingTokenKind.PUBLISH, tokenId, body, false);
  }

  @PUT
  @Path("/subscribe_token/{tokenId}")
  @RolesAllowed(ApiScopes.TOKENS_WRITE)
  @Operation(summary = "Update a subscribe token (refreshToken, isActive, any resource field)")
  @RequestBody(content = @Content(schema = @Schema(implementation = TokenRequest.class)))
  public Envelope<Object> updateSubscribe(@PathParam("tokenId") long tokenId, JsonNode body) {
    return endpoints.update(caller.accountId(), StreamingTokenKind.SUBSCRIBE, tokenId, body, false);
  }
}
