package io.beamline.events.stream;

import io.beamline.events.StreamEvent;
import java.time.Instant;
import java.util.UUID;

/**
 * A viewer session on a stream started.
 *
 * @param viewerSessionId id of the session, repeated in {@code viewer-left}
 * @param tokenId subscribe token used (the parent token for self-signed tokens); null on an
 *     unsecured stream without a token
 * @param trackingId partner tracking id the session counts under; null = untracked
 * @param clientCountry ISO-3166 alpha-2 country of the viewer's address; null = unknown (raw
 *     addresses never leave stream-service)
 * @param protocol playback protocol
 * @param mediaNodeId media node serving the session
 * @param internalReader true for Beamline's own recording and restream workers, which analytics
 *     leaves out of audience counts
 */
public record ViewerJoinedEvent(
    UUID eventId,
    String accountId,
    Instant occurredAt,
    String streamId,
    String streamName,
    long sequence,
    String clusterId,
    String viewerSessionId,
    Long tokenId,
    String trackingId,
    String clientCountry,
    Protocol protocol,
    String mediaNodeId,
    boolean internalReader)
    implements StreamEvent {}
