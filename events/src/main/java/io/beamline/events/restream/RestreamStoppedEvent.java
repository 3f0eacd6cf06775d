package io.beamline.events.restream;

import io.beamline.events.StreamScoped;
import java.time.Instant;
import java.util.UUID;

/**
 * A restream job stopped pushing to its target.
 *
 * @param jobId restream job id
 * @param targetId restream target id
 * @param streamId {@code accountId/streamName}, the Kafka key
 * @param streamName stream name
 * @param tokenId publish token the target is configured on; null for a per-stream target
 * @param label target label; null when none
 * @param targetUrl target URL with the stream key redacted
 * @param attempt attempts the job made
 * @param reason {@code stream-ended}, {@code target-removed}, {@code target-disabled} or {@code
 *     stopped}; new values may appear
 * @param durationSeconds whole seconds pushed (analytics' restream seconds used)
 * @param bytesOut bytes pushed to the target
 */
public record RestreamStoppedEvent(
    UUID eventId,
    String accountId,
    Instant occurredAt,
    String jobId,
    String targetId,
    String streamId,
    String streamName,
    Long tokenId,
    String label,
    String targetUrl,
    int attempt,
    String reason,
    long durationSeconds,
    long bytesOut)
    implements StreamScoped {}
