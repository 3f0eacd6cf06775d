package io.beamline.devstack;

/** A configured port is already taken by another process. */
public class PortInUseException extends DevstackException {

  private final int port;

  public PortInUseException(int port, String what, String setting) {
    super(
        "port "
            + port
            + " ("
            + what
            + ") is already in use; "
            + (setting == null
                ? "stop what uses it or choose another port"
                : "set " + setting + " to another port"));
    this.port = port;
  }

  public int port() {
    return port;
  }
}
