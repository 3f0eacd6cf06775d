package io.beamline.events.stream;

import io.beamline.events.StreamEvent;
import java.time.Instant;
import java.util.UUID;

/**
 * Viewers of a stream were moved from one feed to another (failover to a backup, return to the
 * primary, or a replacing publisher).
 *
 * @param fromFeedId feed viewers were on; null when none was live
 * @param toFeedId feed viewers are on now
 * @param fromSourceId source id of the previous feed; null = the main source
 * @param toSourceId source id of the new feed; null = the main source
 * @param fromPriority priority of the previous feed; null = unset
 * @param toPriority priority of the new feed; null = unset
 * @param reason {@code failover} (the active feed ended), {@code recovered} (a higher priority feed
 *     came back), {@code replaced} or {@code reprioritized}; new values may appear
 */
public record SourceSwitchedEvent(
    UUID eventId,
    String accountId,
    Instant occurredAt,
    String streamId,
    String streamName,
    long sequence,
    String clusterId,
    String fromFeedId,
    String toFeedId,
    String fromSourceId,
    String toSourceId,
    Integer fromPriority,
    Integer toPriority,
    String reason)
    implements StreamEvent {}
