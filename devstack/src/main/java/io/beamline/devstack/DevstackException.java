package io.beamline.devstack;

/** A dev-stack component could not be started, reached or stopped; the message says what to do. */
public class DevstackException extends RuntimeException {

  public DevstackException(String message) {
    super(message);
  }

  public DevstackException(String message, Throwable cause) {
    super(message, cause);
  }
}
