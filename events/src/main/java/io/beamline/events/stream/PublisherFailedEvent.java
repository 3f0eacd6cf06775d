package io.beamline.events.stream;

import io.beamline.events.StreamEvent;
import java.time.Instant;
import java.util.UUID;

/**
 * A publisher was refused or its feed broke before it could start.
 *
 * @param feedId the feed, when one had been created; null otherwise
 * @param tokenId the publish token presented, when it was recognised; null otherwise
 * @param sourceId multi-source id asked for; null = the main source
 * @param mediaNodeId media node that reported the failure; null when refused at the Director
 * @param protocol ingest protocol
 * @param clientCountry ISO-3166 alpha-2 country of the publisher's address; null = unknown
 * @param reason {@code unauthorized}, {@code token-expired}, {@code stream-name-not-allowed},
 *     {@code geo-blocked}, {@code ip-not-allowed}, {@code multisource-not-allowed}, {@code
 *     ingest-timeout} or {@code media-node-error}; new values may appear
 */
public record PublisherFailedEvent(
    UUID eventId,
    String accountId,
    Instant occurredAt,
    String streamId,
    String streamName,
    long sequence,
    String clusterId,
    String feedId,
    Long tokenId,
    String sourceId,
    String mediaNodeId,
    Protocol protocol,
    String clientCountry,
    String reason)
    implements StreamEvent {}
