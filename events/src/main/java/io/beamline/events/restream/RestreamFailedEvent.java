package io.beamline.events.restream;

import io.beamline.events.StreamScoped;
import java.time.Instant;
import java.util.UUID;

/**
 * A restream job's push to its target failed.
 *
 * @param jobId restream job id
 * @param targetId restream target id
 * @param streamId {@code accountId/streamName}, the Kafka key
 * @param streamName stream name
 * @param tokenId publish token the target is configured on; null for a per-stream target
 * @param label target label; null when none
 * @param targetUrl target URL with the stream key redacted
 * @param attempt the attempt that failed
 * @param retrying whether the job will try again; false means it gave up
 * @param reason short, secret-free cause, e.g. {@code connection-refused}, {@code target-rejected},
 *     {@code blocked-address}
 */
public record RestreamFailedEvent(
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
    boolean retrying,
    String reason)
    implements StreamScoped {}
