package io.beamline.events.recording;

import io.beamline.events.StreamScoped;
import java.time.Instant;
import java.util.UUID;

/**
 * A recording is complete: its object is in the store and can be downloaded.
 *
 * @param recordingId media asset id
 * @param streamId {@code accountId/streamName}, the Kafka key
 * @param streamName stream name
 * @param tokenId publish token of the recorded feed
 * @param sourceId recorded source; null = the main source
 * @param bucket object store bucket
 * @param objectKey object key
 * @param format container format, e.g. {@code mp4}
 * @param startedAt when recording started
 * @param durationSeconds recorded media duration in whole seconds
 * @param sizeBytes object size in bytes
 */
public record RecordingCompletedEvent(
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
    String format,
    Instant startedAt,
    long durationSeconds,
    long sizeBytes)
    implements StreamScoped {}
