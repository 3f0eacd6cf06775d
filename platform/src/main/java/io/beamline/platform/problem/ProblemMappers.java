package io.beamline.platform.problem;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure of a REST call into RFC 9457 problem+json: validation errors name the field
 * and the reason, authentication failures are 401, and nothing leaks internals.
 *
 * <p>Written by hand because no problem+json extension for Quarkus 3.33 is available from the
 * registry here (quarkus-http-problem is absent; quarkus-resteasy-problem stops at 3.21).
 */
public class ProblemMappers {

  private static final URI ABOUT_BLANK = URI.create("about:blank");
  private static final String TYPE_BASE = "https://beamline.io/problems/";

  @ServerExceptionMapper
  public Response apiProblem(ApiProblemException e, UriInfo uri) {
    return respond(
        new Problem(
            URI.create(TYPE_BASE + e.reason().replace('_', '-')),
            e.title(),
            e.status(),
            e.getMessage(),
            instance(uri),
            e.reason(),
            List.of()));
  }

  @ServerExceptionMapper
  public Response constraintViolation(ConstraintViolationException e, UriInfo uri) {
    List<Problem.FieldError> errors = new ArrayList<>();
    for (ConstraintViolation<?> violation : e.getConstraintViolations()) {
      errors.add(
          new Problem.FieldError(fieldName(violation.getPropertyPath()), violation.getMessage()));
    }
    errors.sort(Comparator.comparing(Problem.FieldError::field));
    String detail =
        errors.size() == 1
            ? errors.get(0).field() + ": " + errors.get(0).message()
            : errors.size() + " fields are invalid";
    return respond(
        new Problem(
            URI.create(TYPE_BASE + "validation"),
            "Invalid request",
            400,
            detail,
            instance(uri),
            "validation_failed",
            errors));
  }

  @ServerExceptionMapper
  public Response unreadableJson(JsonParseException e, UriInfo uri) {
    return badJson("request body is not valid JSON: " + e.getOriginalMessage(), List.of(), uri);
  }

  @ServerExceptionMapper
  public Response mismatchedJson(MismatchedInputException e, UriInfo uri) {
    return mappingProblem(e, uri);
  }

  @ServerExceptionMapper
  public Response invalidJson(JsonMappingException e, UriInfo uri) {
    return mappingProblem(e, uri);
  }

  @ServerExceptionMapper({AuthenticationFailedException.class, UnauthorizedException.class})
  public Response unauthorized(RuntimeException e, UriInfo uri) {
    String detail =
        e.getMessage() == null || e.getMessage().isBlank()
            ? "a valid API key is required (Authorization: Bearer <key>)"
            : e.getMessage();
    Response.ResponseBuilder response =
        Response.status(401)
            .type(Problem.MEDIA_TYPE)
            .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
            .entity(
                new Problem(
                    URI.create(TYPE_BASE + "unauthorized"),
                    "Unauthorized",
                    401,
                    detail,
                    instance(uri),
                    "unauthorized",
                    List.of()));
    return response.build();
  }

  @ServerExceptionMapper
  public Response authenticationCompletion(AuthenticationCompletionException e, UriInfo uri) {
    return unauthorized(new AuthenticationFailedException(e.getMessage()), uri);
  }

  @ServerExceptionMapper
  public Response forbidden(ForbiddenException e, UriInfo uri) {
    return respond(
        new Problem(
            URI.create(TYPE_BASE + "forbidden"),
            "Forbidden",
            403,
            "this API key lacks the scope this operation needs",
            instance(uri),
            "missing_scope",
            List.of()));
  }

  @ServerExceptionMapper
  public Response webApplication(WebApplicationException e, UriInfo uri) {
    // The body reader wraps unreadable JSON in a 400; keep the field-level explanation.
    if (e.getCause() instanceof JsonMappingException mapping) {
      return mappingProblem(mapping, uri);
    }
    if (e.getCause() instanceof JsonParseException parse) {
      return unreadableJson(parse, uri);
    }
    int status = e.getResponse().getStatus();
    if (status >= 500) {
      Log.errorf(e, "request %s failed", uri.getPath());
    }
    Response.StatusType statusType = Response.Status.fromStatusCode(status);
    String title = statusType != null ? statusType.getReasonPhrase() : "HTTP " + status;
    String detail = status >= 500 ? "the server could not complete the request" : e.getMessage();
    return respond(new Problem(ABOUT_BLANK, title, status, detail, instance(uri), null, List.of()));
  }

  @ServerExceptionMapper
  public Response unexpected(Exception e, UriInfo uri) {
    // Last resort: log the cause with the trace id, and tell the client nothing internal.
    Log.errorf(e, "unexpected failure of %s", uri.getPath());
    return respond(
        new Problem(
            ABOUT_BLANK,
            "Internal Server Error",
            500,
            "the server could not complete the request; see its log for this trace",
            instance(uri),
            "internal_error",
            List.of()));
  }

  private Response mappingProblem(JsonMappingException e, UriInfo uri) {
    String field = jsonPath(e.getPath());
    String message = e.getOriginalMessage();
    int cut = message == null ? -1 : message.indexOf(" at [Source");
    if (cut > 0) {
      message = message.substring(0, cut);
    }
    String reason = simplify(message);
    List<Problem.FieldError> errors =
        field.isEmpty() ? List.of() : List.of(new Problem.FieldError(field, reason));
    String detail = field.isEmpty() ? reason : field + ": " + reason;
    return badJson(detail, errors, uri);
  }

  private Response badJson(String detail, List<Problem.FieldError> errors, UriInfo uri) {
    return respond(
        new Problem(
            URI.create(TYPE_BASE + "invalid-json"),
            "Invalid request body",
            400,
            detail,
            instance(uri),
            "invalid_json",
            errors));
  }

  /** Keeps Jackson's explanation but drops Java class names, which mean nothing to API users. */
  private static String simplify(String message) {
    if (message == null) {
      return "invalid value";
    }
    return message.replaceAll("`[a-zA-Z0-9_.$]+\\.([A-Za-z0-9_$]+)`", "$1");
  }

  private static String jsonPath(List<JsonMappingException.Reference> path) {
    StringBuilder field = new StringBuilder();
    for (JsonMappingException.Reference reference : path) {
      if (reference.getFieldName() != null) {
        if (field.length() > 0) {
          field.append('.');
        }
        field.append(reference.getFieldName());
      } else if (reference.getIndex() >= 0) {
        field.append('[').append(reference.getIndex()).append(']');
      }
    }
    return field.toString();
  }

  /**
   * Drops the method and parameter nodes of a bean-validation path ({@code create.request.label}
   * becomes {@code label}) so the client sees the field it sent.
   */
  static String fieldName(Path path) {
    StringBuilder field = new StringBuilder();
    for (Path.Node node : path) {
      switch (node.getKind()) {
        case METHOD, CONSTRUCTOR, RETURN_VALUE, CROSS_PARAMETER -> {}
        case CONTAINER_ELEMENT -> {
          // "tags.<list element>[1]" reads better as "tags[1]".
          if (node.getIndex() != null) {
            field.append('[').append(node.getIndex()).append(']');
          } else if (node.getKey() != null) {
            field.append('[').append(node.getKey()).append(']');
          }
        }
        case PARAMETER -> {
          // A parameter name counts only when it is a query/path parameter, not the body.
          field.setLength(0);
          field.append(node.getName());
        }
        default -> {
          if (field.length() > 0 && isBodyParameter(field)) {
            field.setLength(0);
          } else if (field.length() > 0) {
            field.append('.');
          }
          field.append(node.getName());
          if (node.getIndex() != null) {
            field.append('[').append(node.getIndex()).append(']');
          } else if (node.getKey() != null) {
            field.append('[').append(node.getKey()).append(']');
          }
        }
      }
    }
    return field.isEmpty() ? "request" : field.toString();
  }

  /** Body parameters are conventionally named {@code request} or {@code body} in our resources. */
  private static boolean isBodyParameter(CharSequence name) {
    String s = name.toString();
    return s.equals("request") || s.equals("body");
  }

  private static URI instance(UriInfo uri) {
    return uri == null ? null : URI.create(uri.getPath());
  }

  private static Response respond(Problem problem) {
    return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
  }
}
