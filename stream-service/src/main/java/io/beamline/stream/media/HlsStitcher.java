package io.beamline.stream.media;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Serves a rendition's media playlist from the playlist of whichever feed carries it now, keeping
 * media sequence numbers continuous and marking each change of feed with a discontinuity, so that
 * HLS players already running follow a failover without reloading the master playlist. How a change
 * is numbered is decided once and shared ({@link HlsNumberings}), so that every instance serving
 * the node's playlists numbers a segment the same way.
 */
@ApplicationScoped
public class HlsStitcher {

  /**
   * How many of the new feed's newest segments a player is given at a change of feed: the usual
   * live hold-back of three target durations, so it resumes near the live edge instead of replaying
   * the backup's whole window.
   */
  static final int SEGMENTS_AT_SWITCH = 3;

  /**
   * Numbers left unused after the last one this instance knows was served, at a change of feed:
   * another instance may have served a segment or two more of the old feed. Players take a gap
   * forward in stride; a number served twice for two segments they would not.
   */
  static final int SWITCH_MARGIN = 2;

  /** Renditions nobody asked for in this long are forgotten here (they stay stored). */
  private static final long FORGET_AFTER_NANOS = 10L * 60 * 1_000_000_000;

  private final HlsNumberings numberings;
  private final Function<String, Optional<String>> feedPlaylists;
  private final Map<String, Continuity> renditions = new ConcurrentHashMap<>();
  private volatile long lastSweep = System.nanoTime();

  @Inject
  public HlsStitcher(HlsNumberings numberings, FeedPlaylists feedPlaylists) {
    this(numberings, feedPlaylists::of);
  }

  HlsStitcher(HlsNumberings numberings, Function<String, Optional<String>> feedPlaylists) {
    this.numberings = numberings;
    this.feedPlaylists = feedPlaylists;
  }

  /**
   * The media playlist of rendition {@code rendition} of stream {@code streamId} served from {@code
   * feedId}'s own playlist as the node wrote it.
   */
  public String stitch(String streamId, String rendition, String feedId, String feedPlaylist) {
    FeedPlaylist feed = FeedPlaylist.parse(feedPlaylist);
    sweep();
    Continuity continuity =
        renditions.computeIfAbsent(streamId + "/" + rendition, k -> new Continuity());
    synchronized (continuity) {
      continuity.lastUsed = System.nanoTime();
      if (continuity.numbering == null || !continuity.numbering.feedId().equals(feedId)) {
        continuity.numbering = numbering(streamId, rendition, feedId, feed, continuity);
      }
      return continuity.write(feed, feedId);
    }
  }

  /** The numbering for {@code feedId}: stored already, or decided now and stored. */
  private HlsNumbering numbering(
      String streamId, String rendition, String feedId, FeedPlaylist feed, Continuity local) {
    Optional<HlsNumbering> stored = numberings.read(streamId, rendition);
    if (stored.isPresent() && stored.get().feedId().equals(feedId)) {
      return stored.get();
    }
    if (stored.isEmpty()) {
      return numberings.propose(streamId, rendition, null, HlsNumbering.first(feedId));
    }
    HlsNumbering old = stored.get();
    if (feed.segments.isEmpty()) {
      return old; // the new feed has no segment yet: numbered when it has one
    }
    long lastServed = local.lastServed;
    // The old feed's playlist stays on the node for a while after it ended: its last segment is
    // the last one anybody can have been served.
    Optional<FeedPlaylist> oldPlaylist = feedPlaylists.apply(old.feedId()).map(FeedPlaylist::parse);
    if (oldPlaylist.isPresent() && !oldPlaylist.get().segments.isEmpty()) {
      lastServed = Math.max(lastServed, oldPlaylist.get().lastSequence() + old.offset());
    }
    lastServed = Math.max(lastServed, old.switchSequence());
    long first = Math.max(feed.firstSequence(), feed.lastSequence() - (SEGMENTS_AT_SWITCH - 1));
    return numberings.propose(
        streamId,
        rendition,
        old.feedId(),
        old.switchTo(feedId, first, lastServed + 1 + SWITCH_MARGIN));
  }

  private void sweep() {
    long now = System.nanoTime();
    if (now - lastSweep < FORGET_AFTER_NANOS / 10) {
      return;
    }
    lastSweep = now;
    renditions.values().removeIf(c -> now - c.lastUsed > FORGET_AFTER_NANOS);
  }

  /** One rendition as this instance serves it. */
  private static final class Continuity {
    HlsNumbering numbering;

    /** The highest sequence number this instance served; -1 before any. */
    long lastServed = -1;

    long lastUsed = System.nanoTime();

    String write(FeedPlaylist feed, String feedId) {
      HlsNumbering n = numbering;
      // Segments of the feed the numbering is for only (while a new feed has none, the old one's
      // numbering goes on with an empty list).
      List<Segment> segments = new ArrayList<>();
      if (n.feedId().equals(feedId)) {
        for (Segment segment : feed.segments) {
          if (segment.sequence >= n.firstFeedSequence()) {
            segments.add(segment);
          }
        }
      }
      StringBuilder out = new StringBuilder("#EXTM3U\n");
      out.append("#EXT-X-VERSION:").append(Math.max(3, feed.version)).append('\n');
      out.append("#EXT-X-TARGETDURATION:").append(feed.targetDuration).append('\n');
      // An empty list (a feed that has not written a segment yet) continues where the last ended.
      long firstServed =
          segments.isEmpty() ? lastServed + 1 : segments.get(0).sequence + n.offset();
      out.append("#EXT-X-MEDIA-SEQUENCE:").append(firstServed).append('\n');
      boolean switchSegmentListed =
          n.discontinuities() > 0 && !segments.isEmpty() && firstServed == n.switchSequence();
      if (n.discontinuities() > 0) {
        // The number of the first listed segment: the change's own when that segment is still
        // listed (its tag below counts it), else every change so far.
        out.append("#EXT-X-DISCONTINUITY-SEQUENCE:")
            .append(switchSegmentListed ? n.discontinuities() - 1 : n.discontinuities())
            .append('\n');
      }
      for (Segment segment : segments) {
        long served = segment.sequence + n.offset();
        if (switchSegmentListed && served == n.switchSequence()) {
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
