package io.beamline.stream.rest;

/**
 * The reference API's success envelope ({@code {"status":"success","data":...}}); errors are RFC
 * 9457 problem+json instead.
 */
public record Envelope<T>(String status, T data) {

  public static <T> Envelope<T> success(T data) {
    return new Envelope<>("success", data);
  }
}
