package io.beamline.analytics.graphql;

/** A GraphQL argument that cannot be answered; its message reaches the client. */
public class InvalidArgumentException extends RuntimeException {

  public InvalidArgumentException(String message) {
    super(message);
  }
}
