package io.beamline.recording.rest;

import io.beamline.platform.problem.Problem;
import java.util.List;

/** Query or path parameters that cannot be answered; a 400 problem listing each bad field. */
public class InvalidQueryException extends RuntimeException {

  private final List<Problem.FieldError> errors;

  public InvalidQueryException(List<Problem.FieldError> errors) {
    super(
        errors.size() == 1
            ? errors.get(0).field() + ": " + errors.get(0).message()
            : errors.size() + " fields are invalid");
    this.errors = List.copyOf(errors);
  }

  public static InvalidQueryException of(String field, String message) {
    return new InvalidQueryException(List.of(new Problem.FieldError(field, message)));
  }

  public List<Problem.FieldError> errors() {
    return errors;
  }
}
