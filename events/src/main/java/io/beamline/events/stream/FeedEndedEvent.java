package io.beamline.events.stream;

import io.beamline.events.StreamEvent;
import java.time.Instant;
import java.util.UUID;

/**
 * One feed of a stream ended.
 *
 * @param feedId id of the feed
 * @param tokenId id of the publish token it used
 * @param sourceId multi-source id; null = the main source
 * @param priority redundant-ingest priority; null = unset
 * @param simulcastId rendition ladder id; null = none
 * @param mediaNodeId media node that received it
 * @param startedAt when the feed started
 * @param durationSeconds whole seconds it was live
 * @param bytesIn bytes received from it
 * @param reason {@code publisher-disconnected}, {@code replaced} (same source published again),
 *     {@code stopped} (stop API), {@code token-revoked} or {@code timeout}; new values may appear
 */
public record FeedEndedEvent(
    UUID eventId,
    String accountId,
    Instant occurredAt,
    String streamId,
    String streamName,
    long sequence,
    String clusterId,
    String feedId,
    long tokenId,
    String sourceId,
    Integer priority,
    String simulcastId,
    String mediaNodeId,
    Instant startedAt,
    long durationSeconds,
    long bytesIn,
    String reason)
    implements StreamEvent {}
