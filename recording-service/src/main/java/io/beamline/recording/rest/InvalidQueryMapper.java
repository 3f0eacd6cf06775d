package io.beamline.recording.rest;

import io.beamline.platform.problem.Problem;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Maps {@link InvalidQueryException} to the same validation problem the platform writes. */
public class InvalidQueryMapper {

  @ServerExceptionMapper
  public Response invalidQuery(InvalidQueryException e, UriInfo uri) {
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
