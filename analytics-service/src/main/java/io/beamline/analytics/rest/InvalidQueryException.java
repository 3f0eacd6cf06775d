package io.beamline.analytics.rest;

import io.beamline.platform.problem.Problem;
import java.util.List;

/** Query parameters that cannot be answered; becomes a 400 problem listing each bad field. */
public class InvalidQueryException extends RuntimeException {

  private final List<Problem.FieldError> errors;

  public InvalidQueryException(List<Problem.FieldError> errors) {
    super(
        errors.size() == 1
            ? errors.get(0).field() + ": " + errors.get(0).message()
            : errors.size() + " fields are invalid");
    this.errors = List.copyOf(errors);
  }

  public List<Problem.FieldError> errors() {
    return errors;
  }
}
