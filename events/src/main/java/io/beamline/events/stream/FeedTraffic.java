package io.beamline.events.stream;

/**
 * Traffic of one feed of a stream over a {@code stream-stats} interval.
 *
 * @param feedId the feed
 * @param bytesIn bytes received from its publisher during the interval
 * @param bytesOut bytes sent to its viewers (RTMP and HLS) during the interval, internal readers
 *     excluded
 */
public record FeedTraffic(String feedId, long bytesIn, long bytesOut) {}
