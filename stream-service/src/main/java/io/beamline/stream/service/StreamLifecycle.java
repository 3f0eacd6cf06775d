package io.beamline.stream.service;

import io.beamline.events.Topics;
import io.beamline.events.stream.FeedEndedEvent;
import io.beamline.events.stream.FeedStartedEvent;
import io.beamline.events.stream.FeedTraffic;
import io.beamline.events.stream.Protocol;
import io.beamline.events.stream.PublisherFailedEvent;
import io.beamline.events.stream.SourceSwitchedEvent;
import io.beamline.events.stream.StreamEndedEvent;
import io.beamline.events.stream.StreamStartedEvent;
import io.beamline.events.stream.StreamStatsEvent;
import io.beamline.events.stream.ViewerLeftEvent;
import io.beamline.platform.outbox.OutboxWriter;
import io.beamline.stream.Feed;
import io.beamline.stream.LiveStream;
import io.beamline.stream.ViewerSession;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The stream state machine (starting, live, ended) with its feeds and viewers: every change and its
 * event are written in one transaction, each event numbered by the stream's own sequence.
 */
@ApplicationScoped
public class StreamLifecycle {

  private final EntityManager em;
  private final OutboxWriter outbox;
  private final StreamSequences sequences;
  private final ViewerJoinWriter joins;
  private final LiveView view;
  private final HlsViewerBytes hlsBytes;

  public StreamLifecycle(
      EntityManager em,
      OutboxWriter outbox,
      StreamSequences sequences,
      ViewerJoinWriter joins,
      LiveView view,
      HlsViewerBytes hlsBytes) {
    this.em = em;
    this.outbox = outbox;
    this.sequences = sequences;
    this.joins = joins;
    this.view = view;
    this.hlsBytes = hlsBytes;
  }

  /** The Director handed out a publish URL: an ended (or new) stream is now starting. */
  @Transactional
  public void starting(String accountId, String streamName, String clusterId) {
    LiveStream stream = lockStream(accountId, streamName, clusterId);
    view.changed(stream.id);
    if (!LiveStream.LIVE.equals(stream.state)) {
      stream.state = LiveStream.STARTING;
      stream.clusterId = clusterId;
      stream.updatedAt = Instant.now();
    }
  }

  /** Outcome of {@link #startFeed}: the feed, or why it may not start. */
  public record FeedStartResult(Feed feed, String refusal) {}

  /**
   * Starts a feed: the first live feed takes the stream live ({@code stream-started}); each feed
   * announces itself ({@code feed-started}). Another source on a stream whose token does not allow
   * multi-source is refused ({@code publisher-failed}, {@code multisource-not-allowed}).
   */
  @Transactional
  public FeedStartResult startFeed(FeedStart start, String clusterId) {
    LiveStream stream = lockStream(start.accountId(), start.streamName(), clusterId);
    view.changed(stream.id);
    Instant now = Instant.now();
    List<Feed> live = liveFeeds(stream.id);
    if (!start.multisource()
        && live.stream().anyMatch(f -> !Objects.equals(f.sourceId, start.sourceId()))) {
      failed(stream, null, start.tokenId(), start.sourceId(), start.mediaNodeId(), start, now);
      return new FeedStartResult(null, "multisource-not-allowed");
    }
    Feed feed = new Feed();
    feed.id = "f" + UUID.randomUUID().toString().replace("-", "").substring(0, 23);
    feed.streamId = stream.id;
    feed.accountId = start.accountId();
    feed.tokenId = start.tokenId();
    feed.sourceId = start.sourceId();
    feed.priority = start.priority();
    feed.simulcastId = start.simulcastId();
    feed.mediaNodeId = start.mediaNodeId();
    feed.mediaClientId = start.mediaClientId();
    feed.protocol = start.protocol();
    feed.clientIp = start.clientIp();
    feed.clientCountry = start.clientCountry();
    feed.record = start.record();
    feed.restream = start.restream();
    feed.state = Feed.LIVE;
    feed.startedAt = now;
    em.persist(feed);
    if (live.isEmpty()) {
      stream.state = LiveStream.LIVE;
      stream.startedAt = now;
      stream.endedAt = null;
      stream.bytesIn = 0;
      stream.tokenId = start.tokenId();
      stream.secure = start.secure();
      stream.clusterId = clusterId;
      emit(
          Topics.STREAM_STARTED,
          stream,
          new StreamStartedEvent(
              UUID.randomUUID(),
              stream.accountId,
              now,
              stream.id,
              stream.streamName,
              stream.nextSequence(),
              clusterId,
              start.tokenId(),
              feed.id,
              feed.mediaNodeId,
              stream.secure));
    }
    stream.updatedAt = now;
    emit(
        Topics.FEED_STARTED,
        stream,
        new FeedStartedEvent(
            UUID.randomUUID(),
            stream.accountId,
            now,
            stream.id,
            stream.streamName,
            stream.nextSequence(),
            stream.clusterId,
            feed.id,
            feed.tokenId,
            feed.sourceId,
            feed.priority,
            feed.simulcastId,
            List.of(),
            feed.mediaNodeId,
            protocol(feed.protocol),
            feed.clientCountry,
            feed.record,
            feed.restream));
    return new FeedStartResult(feed, null);
  }

  /** A refused publisher whose stream is known (e.g. by its media JWT). */
  @Transactional
  public void publisherRefused(
      String accountId,
      String streamName,
      Long tokenId,
      String sourceId,
      String mediaNodeId,
      String protocol,
      String clientCountry,
      String reason,
      String clusterId) {
    LiveStream stream = lockStream(accountId, streamName, clusterId);
    Instant now = Instant.now();
    stream.updatedAt = now;
    emit(
        Topics.PUBLISHER_FAILED,
        stream,
        new PublisherFailedEvent(
            UUID.randomUUID(),
            accountId,
            now,
            stream.id,
            streamName,
            stream.nextSequence(),
            clusterId,
            null,
            tokenId,
            sourceId,
            mediaNodeId,
            protocol(protocol),
            clientCountry,
            reason));
  }

  /** The live feed of one media-node connection, if any. */
  @Transactional
  public Optional<Feed> liveFeedOfClient(String mediaNodeId, String clientId) {
    return em.createQuery(
            "from Feed where mediaNodeId = ?1 and mediaClientId = ?2 and state = 'live'"
                + " order by startedAt desc",
            Feed.class)
        .setParameter(1, mediaNodeId)
        .setParameter(2, clientId)
        .setMaxResults(1)
        .getResultStream()
        .findFirst();
  }

  /**
   * Ends a feed ({@code feed-ended}); the last live feed also ends the stream ({@code
   * stream-ended}). Ending a feed that already ended does nothing.
   *
   * @return whether the feed was live
   */
  @Transactional
  public boolean endFeed(String feedId, String reason) {
    Feed peek = em.find(Feed.class, feedId);
    if (peek == null) {
      return false;
    }
    LiveStream stream = em.find(LiveStream.class, peek.streamId, LockModeType.PESSIMISTIC_WRITE);
    view.changed(stream.id);
    Feed feed = em.find(Feed.class, feedId, LockModeType.PESSIMISTIC_WRITE);
    if (!Feed.LIVE.equals(feed.state)) {
      return false;
    }
    Instant now = Instant.now();
    List<Feed> before = liveFeeds(stream.id);
    boolean servedForSource = isFeed(servedFeed(before, feed.sourceId), feed);
    boolean servedAsMain = isFeed(servedFeed(before, null), feed);
    feed.state = Feed.ENDED;
    feed.endedAt = now;
    feed.endReason = reason;
    stream.bytesIn += feed.bytesIn;
    stream.updatedAt = now;
    emit(
        Topics.FEED_ENDED,
        stream,
        new FeedEndedEvent(
            UUID.randomUUID(),
            stream.accountId,
            now,
            stream.id,
            stream.streamName,
            stream.nextSequence(),
            stream.clusterId,
            feed.id,
            feed.tokenId,
            feed.sourceId,
            feed.priority,
            feed.simulcastId,
            feed.mediaNodeId,
            feed.startedAt,
            Duration.between(feed.startedAt, now).toSeconds(),
            feed.bytesIn,
            reason));
    em.flush();
    List<Feed> after = liveFeeds(stream.id);
    Optional<Feed> replacement =
        servedForSource ? servedFeed(after, feed.sourceId) : Optional.<Feed>empty();
    if (replacement.isEmpty() && servedAsMain) {
      replacement = servedFeed(after, null);
    }
    replacement.ifPresent(next -> sourceSwitched(stream, feed, next, "failover", now));
    if (after.isEmpty()) {
      stream.state = LiveStream.ENDED;
      stream.endedAt = now;
      Instant startedAt = stream.startedAt != null ? stream.startedAt : feed.startedAt;
      emit(
          Topics.STREAM_ENDED,
          stream,
          new StreamEndedEvent(
              UUID.randomUUID(),
              stream.accountId,
              now,
              stream.id,
              stream.streamName,
              stream.nextSequence(),
              stream.clusterId,
              startedAt,
              Duration.between(startedAt, now).toSeconds(),
              stream.bytesIn,
              reason));
    }
    return true;
  }

  /**
   * Gives a publish token's live feeds a new priority in place (no reconnect): where that changes
   * the feed a source is served by, {@code source-switched} says so.
   *
   * @return the feeds no longer served, whose players must be moved to the new one
   */
  @Transactional
  public List<Feed> reprioritize(String accountId, long tokenId, int priority) {
    List<Feed> notServedAnyMore = new ArrayList<>();
    Set<String> streamIds = new TreeSet<>();
    for (Feed feed : liveFeedsOfToken(tokenId)) {
      if (feed.accountId.equals(accountId)) {
        streamIds.add(feed.streamId);
      }
    }
    Instant now = Instant.now();
    for (String streamId : streamIds) {
      LiveStream stream = em.find(LiveStream.class, streamId, LockModeType.PESSIMISTIC_WRITE);
      view.changed(streamId);
      List<Feed> before = liveFeeds(streamId);
      Map<String, Feed> servedBefore = servedBySource(before);
      for (Feed feed : before) {
        if (feed.tokenId == tokenId) {
          feed.priority = priority;
        }
      }
      em.flush();
      Map<String, Feed> servedAfter = servedBySource(liveFeeds(streamId));
      // The main source may be a named one too: one event per change, not per name.
      Set<String> switches = new TreeSet<>();
      for (Map.Entry<String, Feed> was : servedBefore.entrySet()) {
        Feed current = servedAfter.get(was.getKey());
        if (current != null
            && !current.id.equals(was.getValue().id)
            && switches.add(was.getValue().id + ">" + current.id)) {
          sourceSwitched(stream, was.getValue(), current, "reprioritized", now);
          notServedAnyMore.add(was.getValue());
        }
      }
      stream.updatedAt = now;
    }
    return notServedAnyMore;
  }

  /** The served feed of each source (key: source id, "" for the main source). */
  private static Map<String, Feed> servedBySource(List<Feed> liveBestFirst) {
    Map<String, Feed> served = new LinkedHashMap<>();
    servedFeed(liveBestFirst, null).ifPresent(f -> served.put("", f));
    for (Feed feed : liveBestFirst) {
      if (feed.sourceId != null) {
        served.putIfAbsent("source:" + feed.sourceId, feed);
      }
    }
    return served;
  }

  /** Streams with a live feed on one media node. */
  @Transactional
  public List<String> liveStreamIdsOfNode(String mediaNodeId) {
    return em.createQuery(
            "select distinct streamId from Feed where mediaNodeId = ?1 and state = 'live'",
            String.class)
        .setParameter(1, mediaNodeId)
        .getResultList();
  }

  /** How many viewers (internal readers excluded) watch a feed over RTMP. */
  @Transactional
  public Map<String, Integer> rtmpViewersByFeed(String mediaNodeId) {
    Map<String, Integer> counts = new java.util.HashMap<>();
    for (Object[] row :
        em.createQuery(
                "select feedId, count(*) from ViewerSession where mediaNodeId = ?1 and state ="
                    + " 'live' and internalReader = false and mediaClientId is not null group by"
                    + " feedId",
                Object[].class)
            .setParameter(1, mediaNodeId)
            .getResultList()) {
      counts.put((String) row[0], ((Number) row[1]).intValue());
    }
    return counts;
  }

  /**
   * Traffic of a stream over an interval ({@code stream-stats}, with the viewers watching at its
   * end unless {@code withViewers} is false); nothing for a stream that ended and moved no bytes.
   */
  @Transactional
  public void streamStats(
      String streamId,
      Instant start,
      Instant end,
      long bytesIn,
      long bytesOut,
      List<FeedTraffic> feeds,
      boolean withViewers) {
    LiveStream stream = em.find(LiveStream.class, streamId, LockModeType.PESSIMISTIC_WRITE);
    if (stream == null
        || (!LiveStream.LIVE.equals(stream.state) && bytesIn == 0 && bytesOut == 0)) {
      return;
    }
    long viewers =
        !withViewers
            ? 0
            : em.createQuery(
                    "select count(*) from ViewerSession where streamId = ?1 and state = 'live'"
                        + " and internalReader = false",
                    Long.class)
                .setParameter(1, streamId)
                .getSingleResult();
    emit(
        Topics.STREAM_STATS,
        stream,
        new StreamStatsEvent(
            UUID.randomUUID(),
            stream.accountId,
            end,
            stream.id,
            stream.streamName,
            stream.nextSequence(),
            stream.clusterId,
            start,
            end,
            bytesIn,
            bytesOut,
            (int) viewers,
            feeds));
  }

  /** Live streams of an account. */
  @Transactional
  public List<LiveStream> liveStreams(String accountId) {
    return em.createQuery(
            "from LiveStream where accountId = ?1 and state = 'live'", LiveStream.class)
        .setParameter(1, accountId)
        .getResultList();
  }

  /** Viewers of {@code from} are now served {@code to} ({@code source-switched}). */
  private void sourceSwitched(LiveStream stream, Feed from, Feed to, String reason, Instant now) {
    emit(
        Topics.SOURCE_SWITCHED,
        stream,
        new SourceSwitchedEvent(
            UUID.randomUUID(),
            stream.accountId,
            now,
            stream.id,
            stream.streamName,
            stream.nextSequence(),
            stream.clusterId,
            from.id,
            to.id,
            from.sourceId,
            to.sourceId,
            from.priority,
            to.priority,
            reason));
  }

  private static boolean isFeed(Optional<Feed> candidate, Feed feed) {
    return candidate.isPresent() && candidate.get().id.equals(feed.id);
  }

  /** Records what the media node says a live feed carries. */
  @Transactional
  public void feedMedia(
      String feedId,
      String videoCodec,
      String audioCodec,
      Integer width,
      Integer height,
      Long bandwidth) {
    em.createQuery(
            "update Feed set videoCodec = ?1, audioCodec = ?2, videoWidth = ?3, videoHeight = ?4,"
                + " bandwidth = ?5 where id = ?6 and state = 'live'")
        .setParameter(1, videoCodec)
        .setParameter(2, audioCodec)
        .setParameter(3, width)
        .setParameter(4, height)
        .setParameter(5, bandwidth)
        .setParameter(6, feedId)
        .executeUpdate();
  }

  /**
   * Adds {@code bytes} to what each RTMP player (viewer or internal reader) of a feed has received;
   * a session is credited its part when it ends. One row, however many viewers watch.
   */
  @Transactional
  public void addPlayerBytes(String feedId, long bytes) {
    em.createNativeQuery("update feed set player_bytes_out = player_bytes_out + ?1 where id = ?2")
        .setParameter(1, bytes)
        .setParameter(2, feedId)
        .executeUpdate();
  }

  /** Records the latest byte counter the media node reported for a live feed. */
  @Transactional
  public void feedBytes(String feedId, long bytesIn) {
    em.createQuery("update Feed set bytesIn = ?1 where id = ?2 and state = 'live'")
        .setParameter(1, bytesIn)
        .setParameter(2, feedId)
        .executeUpdate();
  }

  /**
   * Starts a viewer session ({@code viewer-joined}), written with the joins waiting at the same
   * time in one transaction of its own (see {@link ViewerJoinWriter}); returns once committed.
   */
  public ViewerSession joinViewer(ViewerStart start, String clusterId) {
    return joins.join(start, clusterId);
  }

  /** {@link #joinViewer} without waiting: completes once the join is committed. */
  public CompletableFuture<ViewerSession> joinViewerAsync(ViewerStart start, String clusterId) {
    return joins.joinAsync(start, clusterId);
  }

  /** The live RTMP viewer session of one media-node connection, if any. */
  @Transactional
  public Optional<ViewerSession> liveViewerOfClient(String mediaNodeId, String clientId) {
    return em.createQuery(
            "from ViewerSession where mediaNodeId = ?1 and mediaClientId = ?2 and state = 'live'",
            ViewerSession.class)
        .setParameter(1, mediaNodeId)
        .setParameter(2, clientId)
        .setMaxResults(1)
        .getResultStream()
        .findFirst();
  }

  /** The viewer session of an HLS grant, live or not. */
  @Transactional
  public Optional<ViewerSession> viewerOfGrant(String grantId) {
    return em.createQuery("from ViewerSession where grantId = ?1", ViewerSession.class)
        .setParameter(1, grantId)
        .getResultStream()
        .findFirst();
  }

  /**
   * Ends a viewer session ({@code viewer-left}); nothing if it already ended.
   *
   * <p>The stream's row is not held for the transaction (see {@link StreamSequences}); the
   * session's row is the lock that makes ending it happen once, and its state is read again under
   * that lock. A session ended meanwhile by someone else leaves an unused sequence number, which
   * the contract allows.
   *
   * @return whether it was live
   */
  public boolean endViewer(String sessionId, String reason) {
    Optional<String> streamId =
        QuarkusTransaction.joiningExisting()
            .call(
                () ->
                    em.createQuery(
                            "select streamId from ViewerSession where id = ?1 and state = 'live'",
                            String.class)
                        .setParameter(1, sessionId)
                        .getResultStream()
                        .findFirst());
    if (streamId.isEmpty()) {
      return false;
    }
    long sequence = sequences.next(streamId.get()).orElseThrow();
    return QuarkusTransaction.joiningExisting().call(() -> end(sessionId, reason, sequence));
  }

  private boolean end(String sessionId, String reason, long sequence) {
    ViewerSession session = em.find(ViewerSession.class, sessionId, LockModeType.PESSIMISTIC_WRITE);
    if (session == null || !ViewerSession.LIVE.equals(session.state)) {
      return false;
    }
    LiveStream stream = em.find(LiveStream.class, session.streamId);
    Instant now = Instant.now();
    if (protocol(session.protocol) == Protocol.RTMP && session.feedId != null) {
      Feed feed = em.find(Feed.class, session.feedId);
      if (feed != null) {
        session.bytesOut += Math.max(0, feed.playerBytesOut - session.feedPlayerBytesAtJoin);
      }
    } else if (protocol(session.protocol) == Protocol.HLS) {
      // What the node's traffic log reported for the grant's URLs (0 when it is not configured).
      session.bytesOut += hlsBytes.take(session.grantId);
    }
    session.state = ViewerSession.ENDED;
    session.leftAt = now;
    session.endReason = reason;
    emit(
        Topics.VIEWER_LEFT,
        stream,
        new ViewerLeftEvent(
            UUID.randomUUID(),
            stream.accountId,
            now,
            stream.id,
            stream.streamName,
            sequence,
            stream.clusterId,
            session.id,
            session.tokenId,
            session.trackingId,
            session.clientCountry,
            protocol(session.protocol),
            session.mediaNodeId,
            session.internalReader,
            session.joinedAt,
            Duration.between(session.joinedAt, now).toSeconds(),
            session.bytesOut));
    return true;
  }

  /** Live feeds of a stream, highest priority first (unset lowest), newest first among equals. */
  @Transactional
  public List<Feed> liveFeeds(String streamId) {
    return em.createQuery(
            "from Feed where streamId = ?1 and state = 'live'"
                + " order by priority desc nulls last, startedAt desc",
            Feed.class)
        .setParameter(1, streamId)
        .getResultList();
  }

  /** The feed viewers of a stream are served by default: that of its main source. */
  @Transactional
  public Optional<Feed> activeFeed(String accountId, String streamName) {
    return servedFeed(accountId + "/" + streamName, null);
  }

  /**
   * The feed viewers of one source are served: its highest-priority live feed (backups share the
   * source id). A null source is the main one: the feeds without a source id, or when there are
   * none, the best live feed of any source.
   */
  @Transactional
  public Optional<Feed> servedFeed(String streamId, String sourceId) {
    return servedFeed(liveFeeds(streamId), sourceId);
  }

  /** {@link #servedFeed(String, String)} among already loaded live feeds (best first). */
  public static Optional<Feed> servedFeed(List<Feed> liveBestFirst, String sourceId) {
    Optional<Feed> ofSource =
        liveBestFirst.stream().filter(f -> Objects.equals(f.sourceId, sourceId)).findFirst();
    if (ofSource.isPresent() || sourceId != null) {
      return ofSource;
    }
    return liveBestFirst.stream().findFirst();
  }

  @Transactional
  public Optional<LiveStream> stream(String accountId, String streamName) {
    return Optional.ofNullable(em.find(LiveStream.class, accountId + "/" + streamName));
  }

  /** Live feeds on one media node. */
  @Transactional
  public List<Feed> liveFeedsOfNode(String mediaNodeId) {
    return em.createQuery("from Feed where mediaNodeId = ?1 and state = 'live'", Feed.class)
        .setParameter(1, mediaNodeId)
        .getResultList();
  }

  /** Live feeds published with a publish token, highest priority first. */
  @Transactional
  public List<Feed> liveFeedsOfToken(long tokenId) {
    return em.createQuery(
            "from Feed where tokenId = ?1 and state = 'live'"
                + " order by priority desc nulls last, startedAt desc",
            Feed.class)
        .setParameter(1, tokenId)
        .getResultList();
  }

  /** Live viewer sessions opened with a subscribe token. */
  @Transactional
  public List<ViewerSession> liveViewersOfToken(long tokenId) {
    return em.createQuery(
            "from ViewerSession where tokenId = ?1 and state = 'live'", ViewerSession.class)
        .setParameter(1, tokenId)
        .getResultList();
  }

  /** Live viewer sessions of a stream. */
  @Transactional
  public List<ViewerSession> liveViewers(String streamId) {
    return em.createQuery(
            "from ViewerSession where streamId = ?1 and state = 'live'", ViewerSession.class)
        .setParameter(1, streamId)
        .getResultList();
  }

  private void failed(
      LiveStream stream,
      String feedId,
      long tokenId,
      String sourceId,
      String mediaNodeId,
      FeedStart start,
      Instant now) {
    emit(
        Topics.PUBLISHER_FAILED,
        stream,
        new PublisherFailedEvent(
            UUID.randomUUID(),
            stream.accountId,
            now,
            stream.id,
            stream.streamName,
            stream.nextSequence(),
            stream.clusterId,
            feedId,
            tokenId,
            sourceId,
            mediaNodeId,
            protocol(start.protocol()),
            start.clientCountry(),
            "multisource-not-allowed"));
  }

  /** The stream row, created if new, locked for the rest of the transaction. */
  private LiveStream lockStream(String accountId, String streamName, String clusterId) {
    String id = accountId + "/" + streamName;
    // Insert-if-absent first, so two first feeds racing for a new stream serialise on its row.
    em.createNativeQuery(
            "insert into live_stream (id, account_id, stream_name, state, sequence, cluster_id,"
                + " updated_at) values (?1, ?2, ?3, 'ended', 0, ?4, now()) on conflict do nothing")
        .setParameter(1, id)
        .setParameter(2, accountId)
        .setParameter(3, streamName)
        .setParameter(4, clusterId)
        .executeUpdate();
    return em.find(LiveStream.class, id, LockModeType.PESSIMISTIC_WRITE);
  }

  private void emit(String topic, LiveStream stream, io.beamline.events.BeamlineEvent event) {
    outbox.append(topic, stream.id, event, stream.id);
  }

  /** The event contract's protocol for a session's stored one; unknown values map to UNKNOWN. */
  static Protocol protocol(String value) {
    try {
      return Protocol.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (RuntimeException e) {
      return Protocol.UNKNOWN;
    }
  }
}
