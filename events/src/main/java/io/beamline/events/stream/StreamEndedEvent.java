package io.beamline.events.stream;

import io.beamline.events.StreamEvent;
import java.time.Instant;
import java.util.UUID;

/**
 * A logical stream went offline: its last feed ended.
 *
 * @param startedAt when the stream started
 * @param durationSeconds whole seconds between start and end
 * @param bytesIn bytes received from all of the stream's feeds
 * @param reason {@code publisher-disconnected}, {@code stopped} (stop API), {@code token-revoked}
 *     or {@code timeout}; new values may appear
 */
public record StreamEndedEvent(
    UUID eventId,
    String accountId,
    Instant occurredAt,
    String streamId,
    String streamName,
    long sequence,
    String clusterId,
    Instant startedAt,
    long durationSeconds,
    long bytesIn,
    String reason)
    implements StreamEvent {}
