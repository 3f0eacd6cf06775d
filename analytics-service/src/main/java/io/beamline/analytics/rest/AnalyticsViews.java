package io.beamline.analytics.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** The JSON shapes of the analytics REST API (names follow the reference API where it has them). */
public final class AnalyticsViews {

  private AnalyticsViews() {}

  /**
   * Everything known about an account or a stream over a range.
   *
   * @param bytesIn bytes received from publishers
   * @param bytesOut bytes sent to viewers plus bytes pushed to restream targets
   * @param standardStream viewer traffic
   * @param restream restream traffic
   * @param viewers audience (internal readers excluded)
   * @param publishing publishers and feeds
   * @param recordings recordings made
   * @param live state now (not limited to the range)
   */
  public record Totals(
      long bytesIn,
      long bytesOut,
      Bandwidth standardStream,
      Restream restream,
      Viewers viewers,
      Publishing publishing,
      Recordings recordings,
      Live live) {}

  /** Bytes in and out. */
  public record Bandwidth(long bytesIn, long bytesOut) {}

  /**
   * Restream usage.
   *
   * @param secondsUsed seconds pushed to targets
   */
  public record Restream(long bytesOut, long secondsUsed, long started, long failed) {}

  /**
   * Audience.
   *
   * @param sessions viewer sessions that started
   * @param ended viewer sessions that ended
   * @param viewSeconds seconds watched by sessions that ended
   * @param viewMinutes the same in minutes
   * @param peakConcurrent the most viewers at once (from stream stats)
   * @param bytesOut bytes sent to sessions that ended
   */
  public record Viewers(
      long sessions,
      long ended,
      long viewSeconds,
      double viewMinutes,
      long peakConcurrent,
      long bytesOut) {}

  /**
   * Publishing.
   *
   * @param streamsStarted times a stream went live
   * @param feeds publisher connections that started
   * @param publishSeconds seconds published by feeds that ended
   * @param publishMinutes the same in minutes
   * @param bytesIn bytes received by feeds that ended
   * @param failures refused or broken publish attempts
   * @param sourceSwitches viewer moves between feeds (failover)
   */
  public record Publishing(
      long streamsStarted,
      long feeds,
      long publishSeconds,
      double publishMinutes,
      long bytesIn,
      long failures,
      long sourceSwitches) {}

  /** Recordings. */
  public record Recordings(long started, long completed, long failed, long seconds, long bytes) {}

  /**
   * Live state now.
   *
   * @param streams live streams of the account (account answers only)
   * @param active whether the stream is live (stream answers only)
   * @param concurrentViewers viewers watching now, internal readers excluded
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Live(Long streams, Boolean active, long concurrentViewers) {}

  /** A series keyed by ISO-8601 bucket start, one map per kind. */
  public record Series(
      Map<String, Bandwidth> bandwidth,
      Map<String, Bandwidth> standardStream,
      Map<String, Restream> restream,
      Map<String, Viewers> viewers,
      Map<String, Publishing> publishing) {}

  /**
   * Viewer traffic of a country.
   *
   * @param bytes bytes sent to its viewers
   * @param views viewer sessions started
   */
  public record GeoBytes(long bytes, long views) {}

  /**
   * Traffic of a country.
   *
   * @param bytesIn bytes received from its publishers
   * @param bytesOut bytes sent to its viewers
   * @param publishDuration seconds published from it
   * @param viewDuration seconds watched from it
   */
  public record GeoTotal(long bytesIn, long bytesOut, long publishDuration, long viewDuration) {}

  /** {@link GeoTotal} plus counts, per bucket. */
  public record GeoPoint(
      long bytesIn,
      long bytesOut,
      long publishDuration,
      long viewDuration,
      long publishes,
      long views) {}

  /**
   * One stream's audience under one tracking id.
   *
   * @param streamName set in answers keyed by tracking id
   * @param trackingId set in answers keyed by stream name
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TrackingTotal(
      String streamName, String trackingId, Bandwidth standardStream, Viewers viewers) {}

  /** {@link TrackingTotal} as a series keyed by bucket start. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TrackingSeries(
      String streamName,
      String trackingId,
      Map<String, Bandwidth> standardStream,
      Map<String, Viewers> viewers) {}
}
