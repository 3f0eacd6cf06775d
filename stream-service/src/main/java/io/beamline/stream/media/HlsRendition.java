package io.beamline.stream.media;

import io.beamline.stream.Feed;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rendition of a stream as players see it in the master playlist (a picture of a source at one
 * size, or an alternate audio source), named so that its media playlist URL stays the same when the
 * feed behind it changes (failover, reprioritisation).
 *
 * @param audio whether this is an alternate audio rendition
 * @param source the source id the viewer watches (null: the stream's main source); for audio, the
 *     audio source's name
 * @param size the picture size of a simulcast layer ({@code WxH}), or null for the source's only or
 *     best picture
 */
public record HlsRendition(boolean audio, String source, String size) {

  // Feed ids are [A-Za-z0-9_]+ and never contain '-', so these names cannot be a feed's file.
  private static final Pattern NAME =
      Pattern.compile("r([va])-(main|[0-9a-f]+)-(any|\\d{1,5}x\\d{1,5})");

  private static final HexFormat HEX = HexFormat.of();

  /**
   * The rendition a master playlist lists for {@code variant} when viewers watch {@code source}.
   */
  public static HlsRendition picture(String source, Feed variant, boolean simulcast) {
    String size =
        simulcast && variant.videoWidth != null && variant.videoHeight != null
            ? variant.videoWidth + "x" + variant.videoHeight
            : null;
    return new HlsRendition(false, source, size);
  }

  /** The alternate audio rendition of an audio-only source. */
  public static HlsRendition audio(String audioSource) {
    return new HlsRendition(true, audioSource, null);
  }

  /** The playlist's file name, without {@code .m3u8}. */
  public String fileName() {
    return "r"
        + (audio ? 'a' : 'v')
        + '-'
        + (source == null ? "main" : HEX.formatHex(source.getBytes(StandardCharsets.UTF_8)))
        + '-'
        + (size == null ? "any" : size);
  }

  /** Reads a name written by {@link #fileName()}; empty for anything else. */
  public static Optional<HlsRendition> parse(String fileName) {
    Matcher m = NAME.matcher(fileName);
    if (!m.matches() || m.group(2).length() % 2 != 0) {
      return Optional.empty();
    }
    boolean audio = "a".equals(m.group(1));
    String source =
        "main".equals(m.group(2))
            ? null
            : new String(HEX.parseHex(m.group(2)), StandardCharsets.UTF_8);
    String size = "any".equals(m.group(3)) ? null : m.group(3);
    if (audio && (source == null || size != null)) {
      return Optional.empty();
    }
    return Optional.of(new HlsRendition(audio, source, size));
  }

  /**
   * The live feed that carries this rendition now, among a stream's live feeds (best first): the
   * best audio feed of the audio source; else the layer of this size of the watched source's served
   * picture, the nearest size when that layer is gone (a backup with another ladder), or the served
   * picture itself.
   */
  public Optional<Feed> feed(List<Feed> liveBestFirst) {
    if (audio) {
      return liveBestFirst.stream()
          .filter(Feed::audioOnly)
          .filter(f -> source.equals(f.sourceId == null ? f.id : f.sourceId))
          .findFirst();
    }
    List<Feed> variants = HlsMasterPlaylist.variantsOf(liveBestFirst, source);
    if (variants.isEmpty() || size == null) {
      return variants.stream().findFirst();
    }
    int height = Integer.parseInt(size.substring(size.indexOf('x') + 1));
    Feed nearest = variants.get(0);
    for (Feed variant : variants) {
      if (size.equals(variant.videoWidth + "x" + variant.videoHeight)) {
        return Optional.of(variant);
      }
      if (Math.abs(heightOf(variant) - height) < Math.abs(heightOf(nearest) - height)) {
        nearest = variant;
      }
    }
    return Optional.of(nearest);
  }

  private static int heightOf(Feed feed) {
    return feed.videoHeight == null ? 0 : feed.videoHeight;
  }
}
