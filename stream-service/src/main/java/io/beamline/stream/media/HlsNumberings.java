package io.beamline.stream.media;

import java.util.Optional;

/** Where renditions' numberings are shared by every instance serving a node's playlists. */
public interface HlsNumberings {

  /** The numbering stored for a rendition of a stream. */
  Optional<HlsNumbering> read(String streamId, String rendition);

  /**
   * Stores {@code proposed} unless another instance changed the rendition first: it replaces the
   * stored numbering only if that is still of {@code replacedFeedId} (none stored: null).
   *
   * @return the numbering stored now, the proposed one or the other instance's
   */
  HlsNumbering propose(
      String streamId, String rendition, String replacedFeedId, HlsNumbering proposed);
}
