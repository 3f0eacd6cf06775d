package io.beamline.stream.media;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Feeds' HLS media playlists read from the media node, each kept for a quarter of a second: every
 * HLS player of a rendition reloads its playlist, and the node writes a new one once per segment.
 */
@ApplicationScoped
public class FeedPlaylists {

  private static final long FRESH_NANOS = 250_000_000L;

  private final MediaNodeControl node;
  private final Map<String, Read> reads = new ConcurrentHashMap<>();

  public FeedPlaylists(MediaNodeControl node) {
    this.node = node;
  }

  /** The feed's playlist as the node wrote it at most a quarter of a second ago. */
  public Optional<String> of(String feedId) {
    long now = System.nanoTime();
    Read read = reads.get(feedId);
    if (read != null && now - read.at() < FRESH_NANOS) {
      return read.playlist();
    }
    Optional<String> playlist = node.mediaPlaylist(feedId);
    if (reads.size() > 10_000) {
      reads.values().removeIf(r -> now - r.at() >= FRESH_NANOS); // ended feeds' reads
    }
    reads.put(feedId, new Read(now, playlist));
    return playlist;
  }

  private record Read(long at, Optional<String> playlist) {}
}
