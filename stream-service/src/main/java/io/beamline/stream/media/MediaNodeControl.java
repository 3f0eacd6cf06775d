package io.beamline.stream.media;

import java.util.Optional;

/** What stream-service can ask a media node to do; one implementation per media server. */
public interface MediaNodeControl {

  /** Disconnects the publisher of a feed (named by its feed id on the node). */
  void dropPublisher(String feedId);

  /**
   * Disconnects every player of a feed (viewers and internal readers), so that they reconnect and
   * are served the stream's current feed.
   */
  void dropViewers(String feedId);

  /** Disconnects one viewer connection of a feed. */
  void dropViewer(String feedId, String mediaClientId);

  /** The HLS media playlist the node writes for a feed; empty when it has none (yet). */
  Optional<String> mediaPlaylist(String feedId);
}
