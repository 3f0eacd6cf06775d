package io.beamline.token.authorize;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * stream-service's report that a viewer's media has started.
 *
 * @param tokenId the subscribe token of the allowed decision ({@code settings.tokenId})
 * @param viewerSessionId the session id, as in {@code viewer-joined}
 * @param viewerTokenId {@code settings.viewerTokenId} of the decision, for single-use credentials
 * @param accountId the stream's account (optional check)
 */
public record ViewerSessionStart(
    @NotNull Long tokenId,
    @NotBlank @Size(max = 128) String viewerSessionId,
    @Size(max = 200) String viewerTokenId,
    @Size(max = 64) String accountId) {}
