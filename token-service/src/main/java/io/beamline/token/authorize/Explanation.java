package io.beamline.token.authorize;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Why a token and a hypothetical request would be allowed or refused: every check that ran, with
 * its outcome.
 *
 * @param reason the decisive (first) refusal; null when allowed
 * @param settings what the caller would receive when allowed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Explanation(
    boolean allowed,
    Reason reason,
    String detail,
    List<Check> checks,
    EffectiveSettings settings) {}
