package io.beamline.events.recording;

import io.beamline.events.StreamScoped;
import java.time.Instant;
import java.util.UUID;

/**
 * A recording and its object were deleted.
 *
 * @param recordingId media asset id
 * @param streamId {@code accountId/streamName}, the Kafka key
 * @param streamName stream name
 * @param tokenId publish token of the recorded feed
 * @param sourceId recorded source; null = the main source
 * @param bucket object store bucket
 * @param objectKey deleted object key
 * @param sizeBytes bytes freed (storage usage drops by this much)
 * @param reason {@code deleted} (API) or {@code expired} (retention); new values may appear
 */
public record RecordingDeletedEvent(
    UUID eventId,
    String accountId,
    Instant occurredAt,
    String recordingId,
    String streamId,
    String streamName,
    long tokenId,
    String sourceId,
    String bucket,
    String objectKey,
    long sizeBytes,
    String reason)
    implements StreamScoped {}
