package io.beamline.stream.service;

import io.beamline.stream.Feed;
import io.beamline.stream.LiveStream;
import io.beamline.stream.ViewerSession;
import io.beamline.stream.media.HlsSessions;
import io.beamline.stream.media.MediaNodeControl;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Ends feeds and viewers on the control plane's initiative (stop API, revoked tokens): first in the
 * database with their events, then on the media node, whose late callbacks then change nothing.
 */
@ApplicationScoped
public class StreamControl {

  private final StreamLifecycle lifecycle;
  private final MediaNodeControl node;
  private final HlsSessions hls;

  public StreamControl(StreamLifecycle lifecycle, MediaNodeControl node, HlsSessions hls) {
    this.lifecycle = lifecycle;
    this.node = node;
    this.hls = hls;
  }

  /** Stops every feed of a stream and disconnects its viewers; returns how many feeds stopped. */
  public int stopStream(String accountId, String streamName, String reason) {
    String streamId = accountId + "/" + streamName;
    // Worst first: ending a backup before its primary switches no viewer to a feed about to end.
    List<Feed> feeds = new ArrayList<>(lifecycle.liveFeeds(streamId));
    Collections.reverse(feeds);
    int stopped = 0;
    for (Feed feed : feeds) {
      if (lifecycle.endFeed(feed.id, reason)) {
        stopped++;
      }
      node.dropPublisher(feed.id);
    }
    for (ViewerSession viewer : lifecycle.liveViewers(streamId)) {
      endViewer(viewer, reason);
    }
    return stopped;
  }

  /** Stops every live stream of an account; returns how many streams stopped. */
  public int stopAll(String accountId, String reason) {
    int stopped = 0;
    for (LiveStream stream : lifecycle.liveStreams(accountId)) {
      if (stopStream(accountId, stream.streamName, reason) > 0) {
        stopped++;
      }
    }
    return stopped;
  }

  /**
   * Gives a publish token's live feeds a new priority; players of a feed no longer served are
   * disconnected, so they come back to the new one.
   *
   * @return how many feeds stopped being served
   */
  public int reprioritize(String accountId, long tokenId, int priority) {
    List<Feed> moved = lifecycle.reprioritize(accountId, tokenId, priority);
    moved.forEach(feed -> node.dropViewers(feed.id));
    return moved.size();
  }

  /** Ends what a revoked publish or subscribe token let in. */
  public void tokenRevoked(long tokenId, boolean publishToken) {
    if (publishToken) {
      List<Feed> feeds = new ArrayList<>(lifecycle.liveFeedsOfToken(tokenId));
      Collections.reverse(feeds);
      for (Feed feed : feeds) {
        lifecycle.endFeed(feed.id, "token-revoked");
        node.dropPublisher(feed.id);
      }
    } else {
      for (ViewerSession viewer : lifecycle.liveViewersOfToken(tokenId)) {
        endViewer(viewer, "token-revoked");
      }
    }
  }

  private void endViewer(ViewerSession viewer, String reason) {
    lifecycle.endViewer(viewer.id, reason);
    hls.forget(viewer.grantId);
    if (viewer.mediaClientId != null && viewer.feedId != null) {
      node.dropViewer(viewer.feedId, viewer.mediaClientId);
    }
  }
}
