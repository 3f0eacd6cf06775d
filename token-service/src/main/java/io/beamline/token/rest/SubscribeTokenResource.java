package io.beamline.token.rest;

import io.beamline.platform.auth.Caller;
import io.beamline.token.StreamingTokenKind;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The caller's account's subscribe tokens, with the reference API's paths and field names. */
@Path(SubscribeTokenResource.PATH)
@Tag(name = "Subscribe tokens")
@SecurityRequirement(name = "apiKey")
@Produces(MediaType.APPLICATION_JSON)
public class SubscribeTokenResource extends StreamingTokenResource {

  static final String PATH = "/api/subscribe_token";

  public SubscribeTokenResource(TokenEndpoints endpoints, Caller caller) {
    super(endpoints, caller, StreamingTokenKind.SUBSCRIBE, PATH);
  }
}
