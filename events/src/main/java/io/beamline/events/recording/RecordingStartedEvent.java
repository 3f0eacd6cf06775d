package io.beamline.events.recording;

import io.beamline.events.StreamScoped;
import java.time.Instant;
import java.util.UUID;

/**
 * A recording worker started writing one source of a live stream to the object store.
 *
 * @param recordingId media asset id of the recording
 * @param streamId {@code accountId/streamName}, the Kafka key
 * @param streamName stream name
 * @param tokenId publish token of the recorded feed
 * @param sourceId recorded source; null = the main source
 * @param feedId recorded feed
 * @param bucket object store bucket
 * @param objectKey object key the recording is being uploaded to
 */
public record RecordingStartedEvent(
    UUID eventId,
    String accountId,
    Instant occurredAt,
    String recordingId,
    String streamId,
    String streamName,
    long tokenId,
    String sourceId,
    String feedId,
    String bucket,
    String objectKey)
    implements StreamScoped {}
