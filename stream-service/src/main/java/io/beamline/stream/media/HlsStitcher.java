package io.beamline.stream.media;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves a rendition's media playlist from the playlist of whichever feed carries it now, keeping
 * media sequence numbers continuous and marking each change of feed with a discontinuity, so that
 * HLS players already running follow a failover without reloading the master playlist.
 */
@ApplicationScoped
public class HlsStitcher {

  /**
   * How many of the new feed's newest segments a player is given at a change of feed: the usual
   * live hold-back of three target durations, so it resumes near the live edge instead of replaying
   * the backup's whole window.
   */
  static final int SEGMENTS_AT_SWITCH = 3;

  /** Renditions nobody asked for in this long are forgotten. */
  private static final long FORGET_AFTER_NANOS = 10L * 60 * 1_000_000_000;

  private final Map<String, Continuity> renditions = new ConcurrentHashMap<>();
  private volatile long lastSweep = System.nanoTime();

  /**
   * The media playlist of rendition {@code key} (stream and rendition) served from {@code feedId}'s
   * own playlist as the node wrote it.
   */
  public String stitch(String key, String feedId, String feedPlaylist) {
    FeedPlaylist feed = FeedPlaylist.parse(feedPlaylist);
    sweep();
    Continuity continuity = renditions.computeIfAbsent(key, k -> new Continuity(feedId));
    synchronized (continuity) {
      continuity.lastUsed = System.nanoTime();
      if (!continuity.feedId.equals(feedId) && !feed.segments.isEmpty()) {
        continuity.switchTo(feedId, feed);
      }
      return continuity.write(feed);
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    if (now - lastSweep < FORGET_AFTER_NANOS / 10) {
      return;
    }
    lastSweep = now;
    renditions.values().removeIf(c -> now - c.lastUsed > FORGET_AFTER_NANOS);
  }

  /** What keeps one rendition's numbering continuous. */
  private static final class Continuity {
    String feedId;

    /** Added to the current feed's sequence numbers. */
    long offset;

    /** The current feed's segments before this one are never served (they precede the change). */
    long firstFeedSequence = Long.MIN_VALUE;

    /** The served sequence number of the first segment after the last change; -1 before any. */
    long switchSequence = -1;

    /** How many changes of feed there were. */
    long discontinuities;

    /** The highest sequence number served so far; -1 before any. */
    long lastServed = -1;

    long lastUsed = System.nanoTime();

    Continuity(String feedId) {
      this.feedId = feedId;
    }

    void switchTo(String newFeedId, FeedPlaylist feed) {
      long first = Math.max(feed.firstSequence(), feed.lastSequence() - (SEGMENTS_AT_SWITCH - 1));
      long next = lastServed + 1;
      feedId = newFeedId;
      offset = next - first;
      firstFeedSequence = first;
      switchSequence = next;
      discontinuities++;
    }

    String write(FeedPlaylist feed) {
      List<Segment> segments = new ArrayList<>();
      for (Segment segment : feed.segments) {
        if (segment.sequence >= firstFeedSequence) {
          segments.add(segment);
        }
      }
      StringBuilder out = new StringBuilder("#EXTM3U\n");
      out.append("#EXT-X-VERSION:").append(Math.max(3, feed.version)).append('\n');
      out.append("#EXT-X-TARGETDURATION:").append(feed.targetDuration).append('\n');
      // An empty list (a feed that has not written a segment yet) continues where the last ended.
      long firstServed = segments.isEmpty() ? lastServed + 1 : segments.get(0).sequence + offset;
      out.append("#EXT-X-MEDIA-SEQUENCE:").append(firstServed).append('\n');
      boolean switchSegmentListed = discontinuities > 0 && firstServed == switchSequence;
      if (discontinuities > 0) {
        // The number of the first listed segment: the change's own when that segment is still
        // listed (its tag below counts it), else every change so far.
        out.append("#EXT-X-DISCONTINUITY-SEQUENCE:")
            .append(switchSegmentListed ? discontinuities - 1 : discontinuities)
            .append('\n');
      }
      for (Segment segment : segments) {
        long served = segment.sequence + offset;
        if (switchSegmentListed && served == switchSequence) {
          out.append("#EXT-X-DISCONTINUITY\n");
        }
        for (String line : segment.lines) {
          out.append(line).append('\n');
        }
        lastServed = Math.max(lastServed, served);
      }
      return out.toString();
    }
  }

  /** One media segment: its sequence number in its feed and its lines (tags, then the URI). */
  record Segment(long sequence, List<String> lines) {}

  /** A feed's media playlist as the node wrote it. */
  record FeedPlaylist(
      int version, long targetDuration, long mediaSequence, List<Segment> segments) {

    long firstSequence() {
      return segments.get(0).sequence;
    }

    long lastSequence() {
      return segments.get(segments.size() - 1).sequence;
    }

    static FeedPlaylist parse(String text) {
      int version = 3;
      long targetDuration = 1;
      long mediaSequence = 0;
      List<Segment> segments = new ArrayList<>();
      List<String> pending = new ArrayList<>();
      long sequence = 0;
      for (String raw : text.split("\n")) {
        String line = raw.strip();
        if (line.isEmpty() || line.equals("#EXTM3U") || line.equals("#EXT-X-ENDLIST")) {
          // The rendition goes on after its feed ends: the next feed takes over.
          continue;
        }
        if (line.startsWith("#EXT-X-VERSION:")) {
          version = (int) number(line, version);
        } else if (line.startsWith("#EXT-X-TARGETDURATION:")) {
          targetDuration = number(line, targetDuration);
        } else if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) {
          mediaSequence = number(line, mediaSequence);
          sequence = mediaSequence;
        } else if (line.startsWith("#EXT-X-DISCONTINUITY-SEQUENCE:")
            || line.startsWith("#EXT-X-PLAYLIST-TYPE:")) {
          // Numbered by this rendition instead; a feed's playlist type does not carry over.
          continue;
        } else if (line.startsWith("#")) {
          pending.add(line);
        } else {
          pending.add(line);
          segments.add(new Segment(sequence++, List.copyOf(pending)));
          pending.clear();
        }
      }
      return new FeedPlaylist(version, targetDuration, mediaSequence, segments);
    }

    private static long number(String line, long fallback) {
      try {
        return Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
      } catch (NumberFormatException e) {
        return fallback;
      }
    }
  }
}
