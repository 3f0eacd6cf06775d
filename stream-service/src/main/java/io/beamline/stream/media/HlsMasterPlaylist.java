package io.beamline.stream.media;

import io.beamline.stream.Feed;
import io.beamline.stream.service.StreamLifecycle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Writes a stream's HLS master playlist: one variant per simulcast layer of the served source
 * (bandwidth and resolution, so players switch quality on their own) and one alternate audio
 * rendition per audio-only source (audio multiplexing).
 */
public final class HlsMasterPlaylist {

  /** The audio rendition group every variant refers to. */
  static final String AUDIO_GROUP = "audio";

  private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}(-[A-Za-z0-9]{2,8})?");

  /** Used when the node has not measured a feed's bit rate yet. */
  private static final long UNKNOWN_BANDWIDTH = 1_000_000;

  private HlsMasterPlaylist() {}

  /**
   * The master playlist for viewers of {@code sourceId} (null = the main source), or empty when
   * nothing with a picture is live.
   *
   * @param liveBestFirst the stream's live feeds, highest priority first
   */
  public static Optional<String> write(List<Feed> liveBestFirst, String sourceId) {
    List<Feed> variants = variantsOf(liveBestFirst, sourceId);
    if (variants.isEmpty()) {
      return Optional.empty();
    }
    boolean simulcast = variants.get(0).simulcastId != null;
    Map<String, Feed> audio = new LinkedHashMap<>();
    for (Feed feed : liveBestFirst) {
      if (feed.audioOnly()) {
        // Backups of one audio source share its name: the best one is the rendition.
        audio.putIfAbsent(feed.sourceId == null ? feed.id : feed.sourceId, feed);
      }
    }
    StringBuilder m3u8 = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n");
    if (!audio.isEmpty()) {
      // The variants' own sound, as the default choice; the others are separate playlists.
      m3u8.append("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"")
          .append(AUDIO_GROUP)
          .append("\",NAME=\"main\",DEFAULT=YES,AUTOSELECT=YES\n");
      for (Map.Entry<String, Feed> rendition : audio.entrySet()) {
        String name = rendition.getKey();
        m3u8.append("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"")
            .append(AUDIO_GROUP)
            .append("\",NAME=\"")
            .append(quoted(name))
            .append('"');
        if (LANGUAGE.matcher(name).matches()) {
          m3u8.append(",LANGUAGE=\"").append(name).append('"');
        }
        m3u8.append(",DEFAULT=NO,AUTOSELECT=YES,URI=\"")
            .append(HlsRendition.audio(name).fileName())
            .append(".m3u8\"\n");
      }
    }
    for (Feed variant : variants) {
      m3u8.append("#EXT-X-STREAM-INF:BANDWIDTH=")
          .append(
              variant.bandwidth != null && variant.bandwidth > 0
                  ? variant.bandwidth
                  : UNKNOWN_BANDWIDTH);
      if (variant.videoWidth != null && variant.videoWidth > 0 && variant.videoHeight != null) {
        m3u8.append(",RESOLUTION=")
            .append(variant.videoWidth)
            .append('x')
            .append(variant.videoHeight);
      }
      if (!audio.isEmpty()) {
        m3u8.append(",AUDIO=\"").append(AUDIO_GROUP).append('"');
      }
      m3u8.append('\n').append(playlistName(variant, sourceId, simulcast)).append(".m3u8\n");
    }
    return Optional.of(m3u8.toString());
  }

  /**
   * The media playlist a variant is listed with: its rendition's, which follows the stream through
   * failovers; the feed's own while a simulcast layer's size is not known yet (sizes tell layers
   * apart; the node reports them within a {@code /stat} reading).
   */
  private static String playlistName(Feed variant, String sourceId, boolean simulcast) {
    if (simulcast && (variant.videoWidth == null || variant.videoHeight == null)) {
      return variant.id;
    }
    return HlsRendition.picture(sourceId, variant, simulcast).fileName();
  }

  /**
   * The picture variants viewers of {@code sourceId} (null: the main source) are offered: the
   * served feed's simulcast layers, or the served feed alone; empty when no picture is live.
   */
  static List<Feed> variantsOf(List<Feed> liveBestFirst, String sourceId) {
    List<Feed> pictures = liveBestFirst.stream().filter(f -> !f.audioOnly()).toList();
    return StreamLifecycle.servedFeed(pictures, sourceId)
        .map(served -> variants(pictures, served))
        .orElse(List.of());
  }

  /**
   * The served feed's simulcast layers, best bit rate first: live feeds sharing its simulcast id
   * (one per picture size: among backups of a layer the best-ranked wins); alone without one.
   */
  private static List<Feed> variants(List<Feed> pictures, Feed served) {
    if (served.simulcastId == null) {
      return List.of(served);
    }
    Map<String, Feed> bySize = new LinkedHashMap<>();
    for (Feed feed : pictures) {
      if (Objects.equals(feed.simulcastId, served.simulcastId)
          && Objects.equals(feed.sourceId, served.sourceId)) {
        bySize.putIfAbsent(
            feed.videoWidth == null ? feed.id : feed.videoWidth + "x" + feed.videoHeight, feed);
      }
    }
    List<Feed> layers = new ArrayList<>(bySize.values());
    layers.sort(
        Comparator.comparingLong((Feed f) -> f.bandwidth == null ? 0 : f.bandwidth).reversed());
    return layers;
  }

  private static String quoted(String value) {
    return value.replace("\"", "'").replace("\n", " ");
  }
}
