package io.beamline.events.recording;

import io.beamline.events.StreamScoped;
import java.time.Instant;
import java.util.UUID;

/**
 * A recording could not be completed; nothing is kept in the store for it.
 *
 * @param recordingId media asset id
 * @param streamId {@code accountId/streamName}, the Kafka key
 * @param streamName stream name
 * @param tokenId publish token of the recorded feed
 * @param sourceId recorded source; null = the main source
 * @param bucket object store bucket that was written to
 * @param objectKey object key that was written to
 * @param reason short, secret-free cause, e.g. {@code upload-failed: ...}, {@code
 *     media-pull-failed: ...}
 */
public record RecordingFailedEvent(
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
    String reason)
    implements StreamScoped {}
