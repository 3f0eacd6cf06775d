package io.beamline.events.token;

import io.beamline.events.BeamlineEvent;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An API key, publish token or subscribe token was created.
 *
 * @param tokenId token id (the REST resource's integer {@code id}; for API keys also the JWT's
 *     {@code jti} claim, in decimal)
 * @param revision per-token counter that grows with every change of the token; a consumer of
 *     several token topics applies an event only if its revision is above the one it has stored
 * @param tokenKind which kind of credential
 * @param label display name, at most 128 characters
 * @param active whether the token may be used now ({@code isActive})
 * @param expiresAt when the token stops being valid; null = never
 * @param scopes API keys only: the granted scopes; null for other kinds
 * @param trackingId subscribe tokens only: the partner tracking id viewers are counted under; null
 *     when untracked
 */
public record TokenCreatedEvent(
    UUID eventId,
    String accountId,
    Instant occurredAt,
    long tokenId,
    long revision,
    TokenKind tokenKind,
    String label,
    boolean active,
    Instant expiresAt,
    List<String> scopes,
    String trackingId)
    implements BeamlineEvent {}
