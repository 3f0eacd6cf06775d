package io.beamline.platform.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.URI;
import java.util.List;

/**
 * An RFC 9457 problem details body ({@code application/problem+json}).
 *
 * @param type a URI naming the kind of problem
 * @param title a short, stable summary of the kind of problem
 * @param status the HTTP status
 * @param detail what went wrong in this occurrence, for a human
 * @param instance the request path
 * @param reason a stable machine-readable code (e.g. {@code api_key_revoked})
 * @param errors the invalid fields of a validation problem
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(
    URI type,
    String title,
    int status,
    String detail,
    URI instance,
    String reason,
    List<FieldError> errors) {

  public static final String MEDIA_TYPE = "application/problem+json";

  /**
   * One invalid input field.
   *
   * @param field the field's name or JSON path, e.g. {@code label} or {@code streams[0].streamName}
   * @param message why it is invalid
   */
  public record FieldError(String field, String message) {}
}
