package io.beamline.stream.media.nginx;

import io.beamline.stream.media.PlayAttempt;
import java.util.function.UnaryOperator;

/** Reads nginx-rtmp's callback form fields into the server-neutral attempts. */
final class NginxForms {

  /** The flash version nginx's own relay sessions announce; they are always let through. */
  static final String RELAY_FLASHVER = "ngx-local-relay";

  private NginxForms() {}

  /** An {@code on_play} form; {@code field} gives a field's first value or null. */
  static PlayAttempt playAttempt(String mediaNodeId, UnaryOperator<String> field) {
    return new PlayAttempt(
        mediaNodeId,
        field.apply("clientid"),
        field.apply("name"),
        field.apply("addr"),
        blankToNull(field.apply("pageurl")),
        blankToNull(field.apply("token")),
        blankToNull(field.apply("jwt")),
        blankToNull(field.apply("accountId")),
        isRelay(field),
        "rtmp",
        blankToNull(field.apply("sourceId")));
  }

  static boolean isRelay(UnaryOperator<String> field) {
    return RELAY_FLASHVER.equals(field.apply("flashver"));
  }

  static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
