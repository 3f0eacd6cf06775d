package io.beamline.token.authorize;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The answer to an authorisation request.
 *
 * @param allowed whether the request may go ahead
 * @param reason why not (null when allowed)
 * @param detail a human explanation of the refusal (never contains a secret)
 * @param settings what an allowed caller needs; null on refusal
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Decision(boolean allowed, Reason reason, String detail, EffectiveSettings settings) {

  public static Decision allow(EffectiveSettings settings) {
    return new Decision(true, null, null, settings);
  }

  public static Decision deny(Reason reason, String detail) {
    return new Decision(false, reason, detail, null);
  }
}
