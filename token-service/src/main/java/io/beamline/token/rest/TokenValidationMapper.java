package io.beamline.token.rest;

import io.beamline.platform.problem.Problem;
import io.beamline.token.service.TokenValidationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Token validation failures as the platform's validation problem: each bad field, and why. */
public class TokenValidationMapper {

  @ServerExceptionMapper
  public Response invalid(TokenValidationException e, UriInfo uri) {
    return Response.status(400)
        .type(Problem.MEDIA_TYPE)
        .entity(
            new Problem(
                URI.create("https://beamline.io/problems/validation"),
                "Invalid request",
                400,
                e.getMessage(),
                uri == null ? null : URI.create(uri.getPath()),
                "validation_failed",
                e.errors()))
        .build();
  }
}
