package io.beamline.token.authorize;

import java.time.Instant;

/**
 * A viewer session as a viewer event reports it: {@code endedAt} set for {@code viewer-left}.
 *
 * @param startedAt when the viewer joined (a leave carries its join's time)
 */
public record ViewerSessionEvent(
    String accountId, String sessionId, long tokenId, Instant startedAt, Instant endedAt) {}
