package io.beamline.events;

/**
 * An event produced by stream-service about one live stream; {@link #sequence()} orders it among
 * all of that stream's events on every stream-service topic.
 */
public interface StreamEvent extends StreamScoped {

  /**
   * Per-stream counter shared by all stream-service topics, starting at 1: it only grows and is
   * never reset, not even when the stream goes live again, so a consumer of several topics can
   * order one stream's events and tell a stale one from a new one.
   */
  long sequence();

  /** Cluster (region) serving the stream. */
  String clusterId();
}
