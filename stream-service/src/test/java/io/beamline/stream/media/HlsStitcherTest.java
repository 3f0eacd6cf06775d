package io.beamline.stream.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.stream.Feed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HlsStitcherTest {

  /** Numberings shared like the database shares them between instances. */
  private static final class SharedNumberings implements HlsNumberings {
    final Map<String, HlsNumbering> stored = new HashMap<>();

    @Override
    public synchronized Optional<HlsNumbering> read(String streamId, String rendition) {
      return Optional.ofNullable(stored.get(streamId + "/" + rendition));
    }

    @Override
    public synchronized HlsNumbering propose(
        String streamId, String rendition, String replacedFeedId, HlsNumbering proposed) {
      String key = streamId + "/" + rendition;
      HlsNumbering now = stored.get(key);
      if (now == null || now.feedId().equals(replacedFeedId)) {
        stored.put(key, proposed);
      }
      return stored.get(key);
    }
  }

  private final SharedNumberings numberings = new SharedNumberings();

  /** The node's feed playlists as an instance reads them (an ended feed's may be gone). */
  private final Map<String, String> nodePlaylists = new HashMap<>();

  private HlsStitcher instance() {
    return new HlsStitcher(numberings, id -> Optional.ofNullable(nodePlaylists.get(id)));
  }

  /** An instance serving {@code feedId}'s playlist as the node has it now. */
  private String serve(HlsStitcher stitcher, String stream, String feedId, long first, int count) {
    String playlist = nginxPlaylist(feedId, first, count);
    nodePlaylists.put(feedId, playlist);
    return stitcher.stitch(stream, "rv-main-any", feedId, playlist);
  }

  /** A playlist as nginx-rtmp writes it: {@code count} one-second segments from {@code first}. */
  private static String nginxPlaylist(String feedId, long first, int count) {
    StringBuilder m3u8 =
        new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-MEDIA-SEQUENCE:")
            .append(first)
            .append("\n#EXT-X-TARGETDURATION:2\n");
    for (long s = first; s < first + count; s++) {
      m3u8.append("#EXTINF:1.000,\n").append(feedId).append('-').append(s).append(".ts\n");
    }
    return m3u8.toString();
  }

  /** The served playlist's segments as "sequence=uri" and its discontinuity tags, in order. */
  private static List<String> served(String playlist) {
    List<String> out = new ArrayList<>();
    long sequence = -1;
    for (String line : playlist.split("\n")) {
      if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) {
        sequence = Long.parseLong(line.substring(22));
      } else if (line.startsWith("#EXT-X-DISCONTINUITY-SEQUENCE:")) {
        out.add("dseq=" + line.substring(30));
      } else if (line.equals("#EXT-X-DISCONTINUITY")) {
        out.add("discontinuity");
      } else if (!line.startsWith("#") && !line.isBlank()) {
        out.add(sequence++ + "=" + line);
      }
    }
    return out;
  }

  @Test
  void aRenditionWithOneFeedIsTheFeedsPlaylist() {
    HlsStitcher stitcher = instance();
    assertEquals(
        List.of("7=fa-7.ts", "8=fa-8.ts", "9=fa-9.ts"), served(serve(stitcher, "s", "fa", 7, 3)));
    String next = serve(stitcher, "s", "fa", 8, 3);
    assertEquals(List.of("8=fa-8.ts", "9=fa-9.ts", "10=fa-10.ts"), served(next));
    assertTrue(next.contains("#EXT-X-TARGETDURATION:2"), next);
    assertFalse(next.contains("DISCONTINUITY"), next);
  }

  @Test
  void aChangeOfFeedGoesOnAfterTheOldFeedsLastSegmentFromTheNewFeedsLiveEdge() {
    HlsStitcher stitcher = instance();
    serve(stitcher, "s", "fa", 20, 6); // up to 25; the primary dies there
    // The backup has been publishing longer: its numbers are higher, its window longer. It goes
    // on after 25 with a margin of 2 (another instance may have served more of the primary).
    assertEquals(
        List.of("dseq=0", "discontinuity", "28=fb-43.ts", "29=fb-44.ts", "30=fb-45.ts"),
        served(serve(stitcher, "s", "fb", 40, 6)));
    assertEquals(
        List.of(
            "dseq=0", "discontinuity", "28=fb-43.ts", "29=fb-44.ts", "30=fb-45.ts", "31=fb-46.ts"),
        served(serve(stitcher, "s", "fb", 41, 6)));
    // Once the change's segment has left the list, the sequence counts it.
    assertEquals(
        List.of(
            "dseq=1",
            "29=fb-44.ts",
            "30=fb-45.ts",
            "31=fb-46.ts",
            "32=fb-47.ts",
            "33=fb-48.ts",
            "34=fb-49.ts"),
        served(serve(stitcher, "s", "fb", 44, 6)));
    // A second change (a new primary, younger, with lower numbers) goes on from there.
    assertEquals(
        List.of("dseq=1", "discontinuity", "37=fc-0.ts", "38=fc-1.ts"),
        served(serve(stitcher, "s", "fc", 0, 2)));
  }

  @Test
  void twoInstancesNumberEverySegmentAlikeAcrossAChange() {
    HlsStitcher first = instance();
    HlsStitcher second = instance();
    serve(first, "s", "fa", 10, 3); // 10..12 through the first instance
    serve(second, "s", "fa", 11, 3); // 11..13 through the second
    // The primary ends at 13; the first instance sees the change, the second follows its
    // decision even though it served more of the primary than the first knew.
    String viaFirst = serve(first, "s", "fb", 100, 5);
    String viaSecond = serve(second, "s", "fb", 100, 5);
    assertEquals(served(viaFirst), served(viaSecond));
    assertEquals(
        List.of("dseq=0", "discontinuity", "16=fb-102.ts", "17=fb-103.ts", "18=fb-104.ts"),
        served(viaSecond));
    // An instance that starts afterwards numbers the backup the same way too.
    assertEquals(
        List.of(
            "dseq=0",
            "discontinuity",
            "16=fb-102.ts",
            "17=fb-103.ts",
            "18=fb-104.ts",
            "19=fb-105.ts"),
        served(serve(instance(), "s", "fb", 101, 5)));
  }

  @Test
  void aNewFeedWithoutSegmentsYetKeepsTheOldNumberingUntilItHasSome() {
    HlsStitcher stitcher = instance();
    serve(stitcher, "s", "fa", 0, 3); // 0..2
    String empty = serve(stitcher, "s", "fb", 0, 0);
    assertEquals(List.of(), served(empty));
    assertTrue(empty.contains("#EXT-X-MEDIA-SEQUENCE:3"), empty);
    assertEquals(
        List.of("dseq=0", "discontinuity", "5=fb-0.ts"), served(serve(stitcher, "s", "fb", 0, 1)));
  }

  @Test
  void renditionsAreNumberedApartAndAnEndedFeedsEndListIsDropped() {
    HlsStitcher stitcher = instance();
    serve(stitcher, "s", "fa", 5, 3);
    assertEquals(List.of("0=fx-0.ts"), served(serve(stitcher, "t", "fx", 0, 1)));
    String ended =
        stitcher.stitch("s", "rv-main-any", "fa", nginxPlaylist("fa", 6, 3) + "#EXT-X-ENDLIST\n");
    assertFalse(ended.contains("ENDLIST"), ended);
  }

  @Test
  void renditionNamesRoundTripAndNeverLookLikeAFeedFile() {
    for (HlsRendition r :
        List.of(
            new HlsRendition(false, null, null),
            new HlsRendition(false, "side cam/ü", "1280x720"),
            new HlsRendition(true, "es", null))) {
      String name = r.fileName();
      assertTrue(name.matches("r[va]-[A-Za-z0-9-]+"), name);
      assertFalse(name.matches("[A-Za-z0-9_]+"), name); // feed ids
      assertEquals(Optional.of(r), HlsRendition.parse(name));
    }
    assertEquals(Optional.empty(), HlsRendition.parse("rv-abc-any")); // odd hex
    assertEquals(Optional.empty(), HlsRendition.parse("ra-main-any")); // audio needs a source
    assertEquals(Optional.empty(), HlsRendition.parse("f0123"));
  }

  @Test
  void aRenditionIsCarriedByTheServedLayerOfItsSizeOrTheNearestOne() {
    Feed high = feed("high", "cam", 10, "ladder", 1280, 720, 3_000_000);
    Feed low = feed("low", "cam", 10, "ladder", 320, 180, 500_000);
    Feed backup = feed("backup", "cam", 1, null, 640, 360, 1_000_000);
    Feed audio = feed("es1", "es", 0, null, null, null, 100_000);
    audio.videoCodec = null;
    List<Feed> all = List.of(high, low, backup, audio);
    HlsRendition lowLayer = new HlsRendition(false, "cam", "320x180");
    assertEquals(Optional.of(low), lowLayer.feed(all));
    // The ladder died: the backup's only picture carries every layer.
    assertEquals(Optional.of(backup), lowLayer.feed(List.of(backup, audio)));
    assertEquals(Optional.of(audio), HlsRendition.audio("es").feed(all));
    assertEquals(Optional.empty(), HlsRendition.audio("fr").feed(all));
    assertEquals(Optional.empty(), new HlsRendition(false, "other", null).feed(all));
    // The master playlist names the renditions, not the feeds.
    String master = HlsMasterPlaylist.write(all, "cam").orElseThrow();
    assertTrue(
        master.contains(new HlsRendition(false, "cam", "1280x720").fileName() + ".m3u8"), master);
    assertTrue(master.contains(lowLayer.fileName() + ".m3u8"), master);
    assertTrue(master.contains(HlsRendition.audio("es").fileName() + ".m3u8"), master);
    assertFalse(master.contains("high.m3u8") || master.contains("backup"), master);
  }

  private static Feed feed(
      String id,
      String sourceId,
      int priority,
      String simulcastId,
      Integer width,
      Integer height,
      long bandwidth) {
    Feed feed = new Feed();
    feed.id = id;
    feed.sourceId = sourceId;
    feed.priority = priority;
    feed.simulcastId = simulcastId;
    feed.videoWidth = width;
    feed.videoHeight = height;
    feed.bandwidth = bandwidth;
    feed.videoCodec = width == null ? null : "h264";
    feed.audioCodec = "aac";
    feed.state = Feed.LIVE;
    return feed;
  }
}
