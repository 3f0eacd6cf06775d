package io.beamline.token.authorize;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One check of an explained decision.
 *
 * @param name what was checked: {@code token}, {@code signature}, {@code active}, {@code expiry},
 *     {@code stream}, {@code origin}, {@code ip}, {@code cluster}, {@code tracking}, {@code
 *     country}, {@code viewerLimit}, {@code singleUse}, {@code ipBinding}
 * @param passed whether it passed
 * @param reason the refusal reason when it failed
 * @param detail what was compared
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Check(String name, boolean passed, Reason reason, String detail) {}
