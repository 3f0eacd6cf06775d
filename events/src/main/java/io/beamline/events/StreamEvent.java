package io.beamline.events;

/**
 * An event produced by stream-service about one live stream; {@link #sequence()} orders it among
 * all of that stream's events on every stream-service topic.
 */
public interface StreamEvent extends StreamScoped {

  /**
   * Per-stream counter shared by all stream-service topics: it only grows, so a consumer of several
   * topics can order one stream's events and drop one it has already seen a later one for.
   */
  long sequence();

  /** Cluster (region) serving the stream. */
  String clusterId();
}
