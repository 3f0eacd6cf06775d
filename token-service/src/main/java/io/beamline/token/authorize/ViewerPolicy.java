package io.beamline.token.authorize;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * A subscribe token's viewer policy, beyond the reference.
 *
 * @param maxConcurrentViewers at most this many viewers at once (1–1,000,000); null = no cap
 * @param singleUseViewerTokens each viewer credential (the token itself, or each self-signed token
 *     minted from it) may start media once; null = false
 */
public record ViewerPolicy(
    @Min(1) @Max(1_000_000) Integer maxConcurrentViewers, Boolean singleUseViewerTokens) {}
