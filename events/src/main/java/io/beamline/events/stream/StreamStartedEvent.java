package io.beamline.events.stream;

import io.beamline.events.StreamEvent;
import java.time.Instant;
import java.util.UUID;

/**
 * A logical stream went live: its first feed started. Later feeds of the same stream (other
 * sources, backups, simulcast layers) only publish {@code feed-started}.
 *
 * @param tokenId id of the publish token the first feed used
 * @param feedId the feed that started the stream
 * @param mediaNodeId media node receiving that feed
 * @param secure whether viewers need a subscribe token ({@code subscribeRequiresAuth})
 */
public record StreamStartedEvent(
    UUID eventId,
    String accountId,
    Instant occurredAt,
    String streamId,
    String streamName,
    long sequence,
    String clusterId,
    long tokenId,
    String feedId,
    String mediaNodeId,
    boolean secure)
    implements StreamEvent {}
