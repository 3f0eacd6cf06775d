package io.beamline.token.rest;

import io.beamline.platform.auth.Caller;
import io.beamline.token.StreamingTokenKind;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The caller's account's publish tokens, with the reference API's paths and field names. */
@Path(PublishTokenResource.PATH)
@Tag(name = "Publish tokens")
@SecurityRequirement(name = "apiKey")
@Produces(MediaType.APPLICATION_JSON)
public class PublishTokenResource extends StreamingTokenResource {

  static final String PATH = "/api/publish_token";

  public PublishTokenResource(TokenEndpoints endpoints, Caller caller) {
    super(endpoints, caller, StreamingTokenKind.PUBLISH, PATH);
  }
}
