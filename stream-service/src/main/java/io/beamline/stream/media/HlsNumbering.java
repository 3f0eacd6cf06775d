package io.beamline.stream.media;

/**
 * How a rendition's segments are numbered while one feed carries it: the number served for the
 * feed's segment {@code s} is {@code s + offset}; segments before {@code firstFeedSequence} are
 * never served (they precede the change to this feed).
 *
 * @param feedId the feed carrying the rendition
 * @param offset added to the feed's own sequence numbers
 * @param firstFeedSequence the feed's first segment served
 * @param switchSequence the number served for that first segment after a change; -1 before any
 * @param discontinuities how many changes of feed there were
 */
public record HlsNumbering(
    String feedId, long offset, long firstFeedSequence, long switchSequence, long discontinuities) {

  /** The numbering of a rendition's first feed: its own numbers. */
  static HlsNumbering first(String feedId) {
    return new HlsNumbering(feedId, 0, Long.MIN_VALUE, -1, 0);
  }

  /**
   * The numbering after a change to {@code newFeedId}, whose segments from {@code
   * firstFeedSequence} on are served from {@code next} on.
   */
  HlsNumbering switchTo(String newFeedId, long firstFeedSequence, long next) {
    return new HlsNumbering(
        newFeedId, next - firstFeedSequence, firstFeedSequence, next, discontinuities + 1);
  }
}
