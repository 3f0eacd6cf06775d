package io.beamline.events.stream;

import io.beamline.events.StreamEvent;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Traffic of one live stream over one interval (ten seconds by default), published while the stream
 * is live (and once after it ends); {@code occurredAt} equals {@code intervalEnd}.
 *
 * @param intervalStart start of the interval, inclusive
 * @param intervalEnd end of the interval, exclusive
 * @param bytesIn bytes received from the stream's feeds during the interval
 * @param bytesOut bytes sent to viewers during the interval, internal readers excluded
 * @param viewers concurrent viewers at the end of the interval, internal readers excluded
 * @param feeds the same traffic per feed (feeds that moved bytes during the interval); empty in
 *     events written before it existed
 */
public record StreamStatsEvent(
    UUID eventId,
    String accountId,
    Instant occurredAt,
    String streamId,
    String streamName,
    long sequence,
    String clusterId,
    Instant intervalStart,
    Instant intervalEnd,
    long bytesIn,
    long bytesOut,
    int viewers,
    List<FeedTraffic> feeds)
    implements StreamEvent {

  public StreamStatsEvent {
    feeds = feeds == null ? List.of() : List.copyOf(feeds);
  }
}
