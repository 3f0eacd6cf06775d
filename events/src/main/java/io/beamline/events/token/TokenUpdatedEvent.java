package io.beamline.events.token;

import io.beamline.events.BeamlineEvent;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A token's settings changed; the fields carry the new state, {@code changedFields} says what
 * moved. Disabling a token publishes {@code token-revoked} instead; enabling it again publishes
 * this event with {@code active} true, which lifts the revocation.
 *
 * @param tokenId token id
 * @param revision per-token counter that grows with every change of the token; a consumer of
 *     several token topics applies an event only if its revision is above the one it has stored
 * @param tokenKind which kind of credential
 * @param label display name after the change
 * @param active whether the token may be used now
 * @param expiresAt expiry after the change; null = never
 * @param scopes API keys only: scopes after the change; null for other kinds
 * @param trackingId subscribe tokens only: the partner tracking id; null when untracked
 * @param changedFields names of the REST resource fields that changed (e.g. {@code label}, {@code
 *     allowedCountries}, {@code token} when the secret was regenerated)
 */
public record TokenUpdatedEvent(
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
    String trackingId,
    List<String> changedFields)
    implements BeamlineEvent {}
