package io.beamline.token.authorize;

import io.beamline.platform.problem.ApiProblemException;
import io.beamline.token.RestreamTarget;
import io.beamline.token.StreamingToken;
import io.beamline.token.StreamingTokenKind;
import io.beamline.token.service.TokenSecrets;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /internal/publish_token/{id}/restream}: syndication-service reads a publish token's
 * restream targets, stream keys opened, which no public endpoint ever shows in full.
 */
@Path("/internal/publish_token/{tokenId}/restream")
@Tag(name = "Internal")
@SecurityRequirement(name = "apiKey")
@Produces(MediaType.APPLICATION_JSON)
public class RestreamTargetsResource {

  /** The reference envelope around a token's targets. */
  public record Answer(String status, Targets data) {}

  /** A publish token's push targets. */
  public record Targets(long tokenId, String accountId, List<RestreamTarget> targets) {}

  private final EntityManager em;
  private final TokenSecrets secrets;
  private final InternalCallers callers;

  public RestreamTargetsResource(EntityManager em, TokenSecrets secrets, InternalCallers callers) {
    this.em = em;
    this.secrets = secrets;
    this.callers = callers;
  }

  @GET
  @Transactional
  @Operation(
      summary = "A publish token's restream targets with their keys (platform services only)")
  public Answer targets(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      @PathParam("tokenId") long tokenId) {
    callers.verify(authorization);
    StreamingToken token = em.find(StreamingToken.class, tokenId);
    if (token == null || token.deletedAt != null || token.kind != StreamingTokenKind.PUBLISH) {
      throw ApiProblemException.notFound("publish token", Long.toString(tokenId));
    }
    return new Answer("success", new Targets(token.id, token.accountId, secrets.restream(token)));
  }
}
