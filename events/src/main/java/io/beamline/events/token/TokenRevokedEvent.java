package io.beamline.events.token;

import io.beamline.events.BeamlineEvent;
import java.time.Instant;
import java.util.UUID;

/**
 * A token can no longer be used: every service must reject it from now on, and stream-service stops
 * live streams published with a revoked publish token.
 *
 * @param tokenId token id (for API keys the JWT's {@code jti} claim, in decimal)
 * @param revision per-token counter that grows with every change of the token; a consumer of
 *     several token topics applies an event only if its revision is above the one it has stored
 * @param tokenKind which kind of credential
 * @param label display name, for audit logs
 * @param reason why: {@code deleted}, {@code disabled}, {@code account-closed}, {@code expired} (a
 *     publish/subscribe token passed its {@code expiresOn}; sent once), {@code regenerated} (the
 *     secret was replaced: sessions opened with the old secret must end, but the token id stays
 *     usable with the new secret, announced by a following {@code token-updated} with {@code
 *     changedFields} [token]), and for API keys {@code revoked} (revoked through the API) or {@code
 *     rotated} (replaced); new values may appear
 * @param expiresAt when the token would have expired anyway; null = never. A consumer keeping a
 *     revocation list may forget the entry after this instant.
 */
public record TokenRevokedEvent(
    UUID eventId,
    String accountId,
    Instant occurredAt,
    long tokenId,
    long revision,
    TokenKind tokenKind,
    String label,
    String reason,
    Instant expiresAt)
    implements BeamlineEvent {}
