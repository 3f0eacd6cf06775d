package io.beamline.recording.rest;

/**
 * The reference API's success envelope ({@code {"status":"success","data":...}}); errors are RFC
 * 9457 problem+json instead.
 *
 * @param status always {@code success}
 * @param data the result
 * @param <T> type of the result
 */
public record Envelope<T>(String status, T data) {

  public static <T> Envelope<T> success(T data) {
    return new Envelope<>("success", data);
  }
}
