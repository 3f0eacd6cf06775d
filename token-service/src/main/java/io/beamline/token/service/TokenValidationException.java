package io.beamline.token.service;

import io.beamline.platform.problem.Problem;
import java.util.List;

/** Invalid token or account-security input: every bad field with the reason, for problem+json. */
public class TokenValidationException extends RuntimeException {

  private final List<Problem.FieldError> errors;

  public TokenValidationException(List<Problem.FieldError> errors) {
    super(
        errors.size() == 1
            ? errors.get(0).field() + ": " + errors.get(0).message()
            : errors.size() + " fields are invalid");
    this.errors = List.copyOf(errors);
  }

  public static TokenValidationException of(String field, String message) {
    return new TokenValidationException(List.of(new Problem.FieldError(field, message)));
  }

  public List<Problem.FieldError> errors() {
    return errors;
  }
}
