package io.beamline.stream.media;

import io.beamline.stream.Feed;
import io.beamline.stream.service.MediaGrant;
import io.beamline.stream.service.MediaJwts;
import io.beamline.stream.service.StreamLifecycle;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Answers a viewer's request for a rendition's media playlist ({@code /hls/<media JWT>/<rendition>
 * .m3u8}): the grant is checked and the viewer session started or kept like any HLS request, and
 * the playlist of the feed that carries the rendition now is served, continuous across changes of
 * feed.
 */
@ApplicationScoped
public class HlsRenditions {

  private final MediaJwts jwts;
  private final StreamLifecycle lifecycle;
  private final MediaGateway gateway;
  private final FeedPlaylists playlists;
  private final HlsStitcher stitcher;

  public HlsRenditions(
      MediaJwts jwts,
      StreamLifecycle lifecycle,
      MediaGateway gateway,
      FeedPlaylists playlists,
      HlsStitcher stitcher) {
    this.jwts = jwts;
    this.lifecycle = lifecycle;
    this.gateway = gateway;
    this.playlists = playlists;
    this.stitcher = stitcher;
  }

  /** The rendition's media playlist: 200, 403 (grant refused) or 404 (nothing carries it). */
  public MediaGateway.Playlist playlist(String jwt, String renditionName, String clientIp) {
    Optional<HlsRendition> rendition = HlsRendition.parse(renditionName);
    Optional<MediaGrant> grant = jwts.read(jwt);
    if (rendition.isEmpty() || grant.isEmpty()) {
      return MediaGateway.Playlist.REFUSED;
    }
    HlsRendition r = rendition.get();
    if (!r.audio()
        && grant.get().sourceId() != null
        && !Objects.equals(grant.get().sourceId(), r.source())) {
      return MediaGateway.Playlist.REFUSED; // a grant for one source plays that source only
    }
    List<Feed> live = lifecycle.liveFeeds(grant.get().streamId());
    Optional<Feed> feed = r.feed(live);
    if (feed.isEmpty()) {
      return MediaGateway.Playlist.NOT_LIVE;
    }
    // Checks the grant and its client, and starts or keeps the viewer session.
    if (!gateway.hlsRequest(grant.get(), feed.get().id, clientIp)) {
      return MediaGateway.Playlist.REFUSED;
    }
    return playlists
        .of(feed.get().id)
        .map(
            text ->
                MediaGateway.Playlist.of(
                    stitcher.stitch(grant.get().streamId(), renditionName, feed.get().id, text)))
        .orElse(MediaGateway.Playlist.NOT_LIVE);
  }
}
