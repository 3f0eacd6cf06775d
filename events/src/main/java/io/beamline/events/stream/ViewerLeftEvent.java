package io.beamline.events.stream;

import io.beamline.events.StreamEvent;
import java.time.Instant;
import java.util.UUID;

/**
 * A viewer session on a stream ended.
 *
 * @param viewerSessionId id of the session, as in {@code viewer-joined}
 * @param tokenId subscribe token used; null without a token
 * @param trackingId partner tracking id; null = untracked
 * @param clientCountry ISO-3166 alpha-2 country of the viewer's address; null = unknown
 * @param protocol playback protocol
 * @param mediaNodeId media node that served the session
 * @param internalReader true for Beamline's own recording and restream workers
 * @param joinedAt when the session started
 * @param watchedSeconds whole seconds watched
 * @param bytesOut bytes sent to the viewer
 */
public record ViewerLeftEvent(
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
    boolean internalReader,
    Instant joinedAt,
    long watchedSeconds,
    long bytesOut)
    implements StreamEvent {}
