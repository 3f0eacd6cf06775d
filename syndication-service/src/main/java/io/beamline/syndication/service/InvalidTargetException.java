package io.beamline.syndication.service;

import io.beamline.platform.problem.Problem;
import java.util.List;

/** A restream target request with invalid fields; becomes a 400 validation problem. */
public class InvalidTargetException extends RuntimeException {

  private final transient List<Problem.FieldError> errors;

  public InvalidTargetException(List<Problem.FieldError> errors) {
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
