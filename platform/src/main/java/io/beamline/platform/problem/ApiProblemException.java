package io.beamline.platform.problem;

/** A domain failure that reaches the client as a problem with a status and a stable reason. */
public class ApiProblemException extends RuntimeException {

  private final int status;
  private final String title;
  private final String reason;

  public ApiProblemException(int status, String title, String reason, String detail) {
    super(detail);
    this.status = status;
    this.title = title;
    this.reason = reason;
  }

  public static ApiProblemException notFound(String what, String id) {
    return new ApiProblemException(404, "Not Found", "not_found", what + " " + id + " not found");
  }

  public static ApiProblemException badRequest(String reason, String detail) {
    return new ApiProblemException(400, "Bad Request", reason, detail);
  }

  public static ApiProblemException conflict(String reason, String detail) {
    return new ApiProblemException(409, "Conflict", reason, detail);
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  public String reason() {
    return reason;
  }
}
