package io.beamline.stream.service;

import io.beamline.events.stream.FeedTraffic;
import io.beamline.stream.Feed;
import io.beamline.stream.config.StreamConfig;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns the media node's cumulative per-feed byte counters and its HLS traffic log into per-stream
 * traffic over an interval and publishes it as {@code stream-stats}; bytes sent to the platform's
 * own readers (and to the node's internal HLS relay) are not counted as bytes out.
 */
@ApplicationScoped
public class StreamTraffic {

  /** The last counters read for one feed on the node. */
  private record Counters(long bytesIn, long bytesOut) {}

  /** Bytes of one stream since the last report, in total and per feed. */
  private static final class Pending {
    long bytesIn;
    long bytesOut;
    final Map<String, long[]> byFeed = new LinkedHashMap<>();

    void add(String feedId, long in, long out) {
      bytesIn += in;
      bytesOut += out;
      long[] feed = byFeed.computeIfAbsent(feedId, id -> new long[2]);
      feed[0] += in;
      feed[1] += out;
    }

    List<FeedTraffic> feeds() {
      List<FeedTraffic> feeds = new ArrayList<>();
      byFeed.forEach(
          (id, bytes) -> {
            if (bytes[0] > 0 || bytes[1] > 0) {
              feeds.add(new FeedTraffic(id, bytes[0], bytes[1]));
            }
          });
      return feeds;
    }
  }

  private final StreamLifecycle lifecycle;
  private final NodeDuty duty;
  private final StreamConfig.MediaNode node;
  private final Map<String, Counters> lastByFeed = new HashMap<>();
  private Instant dutySince;
  private final Map<String, Pending> pendingByStream = new HashMap<>();
  private Instant intervalStart = Instant.now();

  public StreamTraffic(StreamLifecycle lifecycle, NodeDuty duty, StreamConfig config) {
    this.lifecycle = lifecycle;
    this.duty = duty;
    this.node = config.mediaNode();
  }

  /**
   * One reading of a feed's counters.
   *
   * @param players the node's players of the feed (its client count less the publisher): viewers,
   *     internal readers and the HLS relay all receive the same bytes
   * @param viewerPlayers how many of them are viewers
   * @param countedFrom since when this instance reads the node ({@link NodeDuty#heldSince()})
   * @return the bytes each player of the feed received since the last reading: every player gets
   *     the same stream, and nginx-rtmp counts bytes per stream, not per client
   */
  public synchronized long observe(
      Feed feed, long bytesIn, long bytesOut, int players, int viewerPlayers, Instant countedFrom) {
    if (!Objects.equals(countedFrom, dutySince)) {
      // The duty was taken (again): readings from before it may be older than what the previous
      // holder reported since, so every feed starts from a fresh baseline.
      lastByFeed.clear();
      dutySince = countedFrom;
    }
    Counters last = lastByFeed.put(feed.id, new Counters(bytesIn, bytesOut));
    if (last == null && countedFrom != null && feed.startedAt.isBefore(countedFrom)) {
      // A feed older than this instance's duty: its bytes so far were reported before (by the
      // previous holder, or by this instance before a restart). This reading is the baseline.
      return 0;
    }
    // A new feed's first reading counts from zero; a counter that went back is a restarted node.
    long deltaIn = last == null ? bytesIn : Math.max(0, bytesIn - last.bytesIn());
    long deltaOut = last == null ? bytesOut : Math.max(0, bytesOut - last.bytesOut());
    long viewerShare = players <= 0 ? 0 : deltaOut * Math.min(viewerPlayers, players) / players;
    pendingByStream
        .computeIfAbsent(feed.streamId, id -> new Pending())
        .add(feed.id, deltaIn, viewerShare);
    return players <= 0 ? 0 : deltaOut / players;
  }

  /** Bytes the node sent to an HLS viewer of a stream's feed (from its traffic log). */
  public synchronized void hlsBytesOut(String streamId, String feedId, long bytes) {
    pendingByStream.computeIfAbsent(streamId, id -> new Pending()).add(feedId, 0, bytes);
  }

  /** Feeds that ended no longer need a baseline. */
  public synchronized void forgetFeedsExcept(java.util.Set<String> liveFeedIds) {
    lastByFeed.keySet().retainAll(liveFeedIds);
  }

  /** Publishes one {@code stream-stats} per stream with traffic (or live) since the last one. */
  @Scheduled(
      every = "${beamline.stream.stats-event-interval:10s}",
      delayed = "${beamline.stream.stats-event-interval:10s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void report() {
    Map<String, Pending> due;
    Instant start;
    Instant end = Instant.now();
    synchronized (this) {
      due = new HashMap<>(pendingByStream);
      pendingByStream.clear();
      start = intervalStart;
      intervalStart = end;
    }
    boolean nodeDuty = duty.mine();
    if (nodeDuty) {
      for (String streamId : lifecycle.liveStreamIdsOfNode(node.id())) {
        due.putIfAbsent(streamId, new Pending());
      }
    }
    due.forEach(
        (streamId, traffic) -> {
          // Another instance reports the node's streams and viewers; this one only the HLS bytes
          // that reached it (the node's traffic log goes to one instance), with no viewers, so
          // that consumers add the two reports up without counting anybody twice.
          if (nodeDuty || traffic.bytesIn > 0 || traffic.bytesOut > 0) {
            lifecycle.streamStats(
                streamId, start, end, traffic.bytesIn, traffic.bytesOut, traffic.feeds(), nodeDuty);
          }
        });
  }
}
