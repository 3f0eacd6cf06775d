package io.beamline.events.stream;

import io.beamline.events.StreamEvent;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One publisher connection (a feed) of a stream started: a source, a backup of a source or a
 * simulcast layer.
 *
 * @param feedId id of the feed, unique across the platform
 * @param tokenId id of the publish token it used
 * @param sourceId multi-source id; null = the main source
 * @param priority redundant-ingest priority (higher wins); null = unset, the lowest
 * @param simulcastId groups the feeds that are layers of one rendition ladder; null = none
 * @param tracks the tracks it publishes
 * @param mediaNodeId media node receiving it
 * @param protocol ingest protocol
 * @param clientCountry ISO-3166 alpha-2 country of the publisher's address; null = unknown (raw
 *     addresses never leave stream-service)
 * @param record whether this feed is to be recorded (token allows it and the publisher did not opt
 *     out)
 * @param restream whether this feed may be restreamed (the publisher did not pass {@code
 *     noRestream})
 */
public record FeedStartedEvent(
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
    List<Track> tracks,
    String mediaNodeId,
    Protocol protocol,
    String clientCountry,
    boolean record,
    boolean restream)
    implements StreamEvent {}
