package io.beamline.analytics;

import java.util.List;

/**
 * The counters of a traffic aggregate row, in the order of their {@code traffic} table columns; all
 * are sums except {@link #PEAK_VIEWERS}, a maximum.
 */
public enum Metric {
  BYTES_IN("bytes_in"),
  BYTES_OUT("bytes_out"),
  SESSION_BYTES_OUT("session_bytes_out"),
  VIEWER_SESSIONS("viewer_sessions"),
  SESSIONS_ENDED("sessions_ended"),
  VIEW_SECONDS("view_seconds"),
  PEAK_VIEWERS("peak_viewers"),
  STREAMS_STARTED("streams_started"),
  STREAMS_ENDED("streams_ended"),
  FEEDS_STARTED("feeds_started"),
  FEEDS_ENDED("feeds_ended"),
  PUBLISH_SECONDS("publish_seconds"),
  FEED_BYTES_IN("feed_bytes_in"),
  PUBLISHER_FAILURES("publisher_failures"),
  SOURCE_SWITCHES("source_switches"),
  RECORDINGS_STARTED("recordings_started"),
  RECORDINGS_COMPLETED("recordings_completed"),
  RECORDINGS_FAILED("recordings_failed"),
  RECORDING_SECONDS("recording_seconds"),
  RECORDING_BYTES("recording_bytes"),
  RESTREAMS_STARTED("restreams_started"),
  RESTREAMS_FAILED("restreams_failed"),
  RESTREAM_SECONDS("restream_seconds"),
  RESTREAM_BYTES_OUT("restream_bytes_out");

  /** Every metric, in column order. */
  public static final List<Metric> ALL = List.of(values());

  private final String column;

  Metric(String column) {
    this.column = column;
  }

  /** The column of the {@code traffic} table holding this metric. */
  public String column() {
    return column;
  }

  /** Whether rows combine by maximum instead of by sum. */
  public boolean isMaximum() {
    return this == PEAK_VIEWERS;
  }
}
