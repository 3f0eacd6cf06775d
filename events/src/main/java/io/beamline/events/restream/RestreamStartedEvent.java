package io.beamline.events.restream;

import io.beamline.events.StreamScoped;
import java.time.Instant;
import java.util.UUID;

/**
 * A restream job started pushing a live stream to a partner target.
 *
 * @param jobId restream job id (one per stream session and target)
 * @param targetId restream target id
 * @param streamId {@code accountId/streamName}, the Kafka key
 * @param streamName stream name
 * @param tokenId publish token the target is configured on; null for a per-stream target
 * @param label target label; null when none
 * @param targetUrl target URL with the stream key replaced by {@code ****}: never a secret
 * @param attempt 1 for the first connection, counting up on each retry of the same job
 */
public record RestreamStartedEvent(
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
    int attempt)
    implements StreamScoped {}
