package io.beamline.recording.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.events.EventJson;
import io.beamline.events.Topics;
import io.beamline.events.recording.RecordingCompletedEvent;
import io.beamline.events.recording.RecordingFailedEvent;
import io.beamline.events.recording.RecordingStartedEvent;
import io.beamline.events.stream.FeedEndedEvent;
import io.beamline.events.stream.FeedStartedEvent;
import io.beamline.events.stream.SourceSwitchedEvent;
import io.beamline.events.stream.StreamEndedEvent;
import io.beamline.platform.inbox.ProcessedEvents;
import io.beamline.platform.outbox.OutboxWriter;
import io.beamline.recording.AssetStatus;
import io.beamline.recording.AssetType;
import io.beamline.recording.MediaAsset;
import io.beamline.recording.MediaSegment;
import io.beamline.recording.SegmentStatus;
import io.beamline.recording.config.RecordingConfig;
import io.beamline.recording.media.MediaMetadata;
import io.beamline.recording.storage.ObjectStore;
import io.beamline.recording.storage.ObjectStore.UploadedPart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The recordings' state in the database: what the stream events start, what the workers upload, and
 * the events each change emits through the outbox, every change in one transaction.
 */
@ApplicationScoped
public class RecordingService {

  /** Consumer name of this service's stream-event inbox. */
  public static final String CONSUMER = "recording-workers";

  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = EventJson.newObjectMapper();

  private final EntityManager em;
  private final ProcessedEvents inbox;
  private final OutboxWriter outbox;
  private final RecordingConfig config;
  private final String bucket;
  private final TransactionManager transactions;

  public RecordingService(
      TransactionManager transactions,
      EntityManager em,
      ProcessedEvents inbox,
      OutboxWriter outbox,
      RecordingConfig config,
      ObjectStore store) {
    this.transactions = transactions;
    this.em = em;
    this.inbox = inbox;
    this.outbox = outbox;
    this.config = config;
    this.bucket = store.bucket();
  }

  // ---- stream events -------------------------------------------------------------------------

  /**
   * A feed started: the first feed of a source to record creates its recording, owned by {@code
   * workerId}; later feeds of the same source (backups, a publisher back within the reconnect
   * window) continue it. {@code partition} is the Kafka partition of the stream's events: whoever
   * is assigned it owns the recording.
   *
   * @return the recording this instance must run now, if it created one (detached)
   */
  @Transactional
  public Optional<MediaAsset> feedStarted(
      UUID eventId, FeedStartedEvent event, int partition, String workerId) {
    if (!inbox.firstDelivery(CONSUMER, Topics.FEED_STARTED, eventId) || !event.record()) {
      return Optional.empty();
    }
    Instant now = Instant.now();
    Optional<MediaAsset> existing = processing(event.streamId(), event.sourceId());
    if (existing.isPresent()) {
      MediaAsset asset = existing.get();
      asset.lastLiveAt = now;
      // The source is back (or a backup took over): the recording has not stopped after all.
      asset.stopTime = null;
      if (asset.streamPartition == null) {
        asset.streamPartition = partition;
      }
      return Optional.empty();
    }
    MediaAsset asset = new MediaAsset();
    asset.id = UUID.randomUUID();
    asset.accountId = event.accountId();
    asset.type = AssetType.RECORDING.wire();
    asset.status = AssetStatus.PROCESSING.wire();
    asset.streamId = event.streamId();
    asset.streamName = event.streamName();
    asset.tokenId = event.tokenId();
    asset.sourceId = event.sourceId();
    asset.sourceKey = MediaAsset.sourceKey(event.sourceId());
    asset.feedId = event.feedId();
    asset.streamPartition = partition;
    asset.name = event.streamName() + (event.sourceId() == null ? "" : " " + event.sourceId());
    asset.startTime = now;
    asset.owner = workerId;
    asset.leaseUntil = now.plus(config.worker().lease());
    asset.lastLiveAt = now;
    asset.created = now;
    em.persist(asset);
    em.flush();
    outbox.append(
        Topics.RECORDING_STARTED,
        asset.streamId,
        new RecordingStartedEvent(
            UUID.randomUUID(),
            asset.accountId,
            now,
            asset.id.toString(),
            asset.streamId,
            asset.streamName,
            asset.tokenId,
            asset.sourceId,
            asset.feedId,
            bucket,
            objectKey(asset, 1)));
    return Optional.of(asset);
  }

  /**
   * A feed ended: its source was live until now, which the reconnect window counts from. When it is
   * the feed the recording follows, that moment is the recording's {@code stopTime} unless the
   * source comes back within the window (a later feed or pull clears it).
   */
  @Transactional
  public void feedEnded(UUID eventId, FeedEndedEvent event) {
    if (inbox.firstDelivery(CONSUMER, Topics.FEED_ENDED, eventId)) {
      processing(event.streamId(), event.sourceId())
          .ifPresent(
              a -> {
                a.lastLiveAt = Instant.now();
                if (a.feedId == null || a.feedId.equals(event.feedId())) {
                  a.stopTime = event.occurredAt() == null ? Instant.now() : event.occurredAt();
                }
              });
    }
  }

  /**
   * Viewers moved to another feed. The worker follows by itself (stream-service drops its reader
   * and it asks again); the recording remembers which feed it is on.
   */
  @Transactional
  public void sourceSwitched(UUID eventId, SourceSwitchedEvent event) {
    if (inbox.firstDelivery(CONSUMER, Topics.SOURCE_SWITCHED, eventId)) {
      processing(event.streamId(), event.toSourceId()).ifPresent(a -> a.feedId = event.toFeedId());
    }
  }

  /**
   * The stream went offline. Stopped or revoked streams end their recordings at once; a publisher
   * that disconnected may still come back within the reconnect window.
   *
   * @return the recordings of the stream that must end without waiting
   */
  @Transactional
  public List<UUID> streamEnded(UUID eventId, StreamEndedEvent event) {
    if (!inbox.firstDelivery(CONSUMER, Topics.STREAM_ENDED, eventId)) {
      return List.of();
    }
    boolean final_ = "stopped".equals(event.reason()) || "token-revoked".equals(event.reason());
    List<UUID> ended = new ArrayList<>();
    for (MediaAsset asset :
        em.createQuery("from MediaAsset where streamId = ?1 and status = ?2", MediaAsset.class)
            .setParameter(1, event.streamId())
            .setParameter(2, AssetStatus.PROCESSING.wire())
            .getResultList()) {
      asset.lastLiveAt = Instant.now();
      if (asset.stopTime == null) {
        asset.stopTime = event.occurredAt() == null ? Instant.now() : event.occurredAt();
      }
      if (final_) {
        asset.endRequested = true;
        ended.add(asset.id);
      }
    }
    return ended;
  }

  /**
   * Runs the queries and writes of {@link #feedStarted} once in a transaction that is rolled back,
   * so the first real recording after a start does not pay for query compilation and cold code:
   * measured here, that delay (about a second) was media lost at the start of the recording.
   */
  @Transactional
  public void warmUp() {
    FeedStartedEvent probe =
        new FeedStartedEvent(
            UUID.randomUUID(),
            "warm-up",
            Instant.now(),
            "warm-up/warm-up",
            "warm-up",
            0,
            null,
            "warm-up",
            0,
            null,
            null,
            null,
            List.of(),
            null,
            null,
            null,
            true,
            false);
    try {
      feedStarted(probe.eventId(), probe, 0, "warm-up");
      nextSeq(UUID.randomUUID());
    } finally {
      try {
        transactions.setRollbackOnly();
      } catch (SystemException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  // ---- worker side ---------------------------------------------------------------------------

  @Transactional
  public Optional<MediaAsset> asset(UUID id) {
    MediaAsset asset = em.find(MediaAsset.class, id);
    if (asset != null) {
      em.detach(asset);
    }
    return Optional.ofNullable(asset);
  }

  /**
   * The source is live on {@code feedId}: refreshes the reconnect window.
   *
   * @return false when {@code owner} no longer owns the recording (taken over, finished, deleted)
   */
  @Transactional
  public boolean live(UUID id, String feedId, String owner) {
    return em.createQuery(
                "update MediaAsset set lastLiveAt = ?1, feedId = coalesce(?2, feedId),"
                    + " stopTime = null, version = version + 1"
                    + " where id = ?3 and owner = ?4 and status = ?5")
            .setParameter(1, Instant.now())
            .setParameter(2, feedId)
            .setParameter(3, id)
            .setParameter(4, owner)
            .setParameter(5, AssetStatus.PROCESSING.wire())
            .executeUpdate()
        == 1;
  }

  /** The object key of the next segment of a recording. */
  @Transactional
  public String nextObjectKey(UUID assetId) {
    MediaAsset asset = em.find(MediaAsset.class, assetId);
    return objectKey(asset, nextSeq(assetId));
  }

  /** Records a segment whose multipart upload was just opened. */
  @Transactional
  public MediaSegment openSegment(UUID assetId, String objectKey, String uploadId) {
    MediaSegment segment = new MediaSegment();
    segment.id = UUID.randomUUID();
    segment.assetId = assetId;
    segment.seq = nextSeq(assetId);
    segment.objectKey = objectKey;
    segment.uploadId = uploadId;
    segment.status = SegmentStatus.UPLOADING.wire();
    segment.startedAt = Instant.now();
    em.persist(segment);
    em.flush();
    em.detach(segment);
    return segment;
  }

  /** Records an uploaded part: from now on a takeover includes it. */
  @Transactional
  public void recordPart(UUID segmentId, int partNumber, String etag, long size) {
    em.createNativeQuery(
            "insert into media_segment_part (segment_id, part_number, etag, size_bytes)"
                + " values (?1, ?2, ?3, ?4)")
        .setParameter(1, segmentId)
        .setParameter(2, partNumber)
        .setParameter(3, etag)
        .setParameter(4, size)
        .executeUpdate();
    em.createQuery("update MediaSegment set sizeBytes = sizeBytes + ?1 where id = ?2")
        .setParameter(1, size)
        .setParameter(2, segmentId)
        .executeUpdate();
  }

  /** The recorded parts of a segment, in order. */
  @Transactional
  public List<UploadedPart> parts(UUID segmentId) {
    List<UploadedPart> parts = new ArrayList<>();
    for (Object row :
        em.createNativeQuery(
                "select part_number, etag, size_bytes from media_segment_part"
                    + " where segment_id = ?1 order by part_number")
            .setParameter(1, segmentId)
            .getResultList()) {
      Object[] cols = (Object[]) row;
      parts.add(
          new UploadedPart(
              ((Number) cols[0]).intValue(), (String) cols[1], ((Number) cols[2]).longValue()));
    }
    return parts;
  }

  /** The segments of a recording, in order. */
  @Transactional
  public List<MediaSegment> segments(UUID assetId) {
    List<MediaSegment> segments =
        em.createQuery("from MediaSegment where assetId = ?1 order by seq", MediaSegment.class)
            .setParameter(1, assetId)
            .getResultList();
    segments.forEach(em::detach);
    return segments;
  }

  @Transactional
  public void segmentComplete(UUID segmentId, long size, Double duration) {
    MediaSegment segment = em.find(MediaSegment.class, segmentId);
    segment.status = SegmentStatus.COMPLETE.wire();
    segment.sizeBytes = size;
    segment.durationSeconds = duration;
    segment.uploadId = null;
    segment.completedAt = Instant.now();
  }

  @Transactional
  public void segmentEmpty(UUID segmentId) {
    MediaSegment segment = em.find(MediaSegment.class, segmentId);
    segment.status = SegmentStatus.EMPTY.wire();
    segment.uploadId = null;
    segment.completedAt = Instant.now();
  }

  /**
   * Ends a recording: complete with the metadata of what was stored, or failed when nothing could
   * be stored; emits {@code recording-completed} or {@code recording-failed}.
   *
   * @return false when {@code owner} no longer owned it (nothing changed)
   */
  @Transactional
  public boolean finish(UUID id, String owner, MediaMetadata metadata, String error) {
    MediaAsset asset = em.find(MediaAsset.class, id, LockModeType.PESSIMISTIC_WRITE);
    if (asset == null
        || !owner.equals(asset.owner)
        || !AssetStatus.PROCESSING.wire().equals(asset.status)) {
      return false;
    }
    Instant now = Instant.now();
    List<MediaSegment> stored =
        em.createQuery(
                "from MediaSegment where assetId = ?1 and status = ?2 order by seq",
                MediaSegment.class)
            .setParameter(1, id)
            .setParameter(2, SegmentStatus.COMPLETE.wire())
            .getResultList();
    // The moment the followed feed ended, when known; a recording ended otherwise stops now.
    asset.stopTime = asset.stopTime == null ? now : asset.stopTime;
    asset.expiration = config.retention().keep().map(asset.stopTime::plus).orElse(null);
    asset.owner = null;
    asset.leaseUntil = null;
    String firstKey = stored.isEmpty() ? objectKey(asset, 1) : stored.get(0).objectKey;
    if (metadata == null || stored.isEmpty()) {
      asset.status = AssetStatus.ERROR.wire();
      asset.error = error == null ? "media-pull-failed: no media was received" : error;
      outbox.append(
          Topics.RECORDING_FAILED,
          asset.streamId,
          new RecordingFailedEvent(
              UUID.randomUUID(),
              asset.accountId,
              now,
              asset.id.toString(),
              asset.streamId,
              asset.streamName,
              asset.tokenId,
              asset.sourceId,
              bucket,
              firstKey,
              asset.error));
      return true;
    }
    asset.status = AssetStatus.COMPLETE.wire();
    asset.sizeBytes = stored.stream().mapToLong(s -> s.sizeBytes).sum();
    asset.durationSeconds = metadata.duration();
    asset.metadata = write(metadata);
    outbox.append(
        Topics.RECORDING_COMPLETED,
        asset.streamId,
        new RecordingCompletedEvent(
            UUID.randomUUID(),
            asset.accountId,
            now,
            asset.id.toString(),
            asset.streamId,
            asset.streamName,
            asset.tokenId,
            asset.sourceId,
            bucket,
            firstKey,
            "mp4",
            asset.startTime,
            Math.round(metadata.duration()),
            asset.sizeBytes));
    return true;
  }

  /**
   * Extends {@code owner}'s leases on the given recordings.
   *
   * @return the ones it still owns
   */
  @Transactional
  public Set<UUID> renew(String owner, Collection<UUID> ids) {
    if (ids.isEmpty()) {
      return Set.of();
    }
    Instant until = Instant.now().plus(config.worker().lease());
    em.createQuery(
            "update MediaAsset set leaseUntil = ?1 where owner = ?2 and status = ?3 and id in ?4")
        .setParameter(1, until)
        .setParameter(2, owner)
        .setParameter(3, AssetStatus.PROCESSING.wire())
        .setParameter(4, ids)
        .executeUpdate();
    return em.createQuery(
            "select id from MediaAsset where owner = ?1 and status = ?2 and id in ?3", UUID.class)
        .setParameter(1, owner)
        .setParameter(2, AssetStatus.PROCESSING.wire())
        .setParameter(3, ids)
        .getResultStream()
        .collect(Collectors.toSet());
  }

  /**
   * Claims for {@code owner} the unfinished recordings of the given stream partitions (those Kafka
   * assigned it) that nobody holds: released by their previous owner, or with a lapsed lease (the
   * owner died or hung). A live lease is the fence: its holder keeps writing until it lets go or
   * the lease lapses, so two instances never write one recording. Recordings created before
   * partitions were recorded ({@code stream_partition} null) go to any claimant.
   *
   * @return the claimed recordings' ids and partitions (null for the old ones)
   */
  @Transactional
  @SuppressWarnings("unchecked")
  public List<Claimed> claim(String owner, Collection<Integer> partitions, int max) {
    Instant now = Instant.now();
    // -1 keeps the "in" list valid when no partition is assigned.
    List<Integer> wanted = partitions.isEmpty() ? List.of(-1) : List.copyOf(partitions);
    List<Object[]> rows =
        em.createNativeQuery(
                "update media_asset set owner = :owner, lease_until = :until,"
                    + " version = version + 1 where id in (select id from media_asset"
                    + " where status = 'processing'"
                    + " and (stream_partition in (:partitions) or stream_partition is null)"
                    + " and (owner is null or lease_until is null or lease_until < :now)"
                    + " order by lease_until nulls first limit :max for update skip locked)"
                    + " returning id, stream_partition")
            .setParameter("owner", owner)
            .setParameter("until", now.plus(config.worker().lease()))
            .setParameter("now", now)
            .setParameter("max", max)
            .setParameter("partitions", wanted)
            .getResultList();
    return rows.stream()
        .map(r -> new Claimed((UUID) r[0], r[1] == null ? null : ((Number) r[1]).intValue()))
        .toList();
  }

  /** A recording just claimed and the stream partition it belongs to. */
  public record Claimed(UUID id, Integer partition) {}

  /**
   * {@code owner} lets go of a recording it still holds (its partition moved to another instance,
   * or this instance stops): the next owner claims it at once instead of waiting for the lease.
   */
  @Transactional
  public boolean release(UUID id, String owner) {
    return em.createQuery(
                "update MediaAsset set owner = null, leaseUntil = null, version = version + 1"
                    + " where id = ?1 and owner = ?2 and status = ?3")
            .setParameter(1, id)
            .setParameter(2, owner)
            .setParameter(3, AssetStatus.PROCESSING.wire())
            .executeUpdate()
        == 1;
  }

  // ---- helpers -------------------------------------------------------------------------------

  private Optional<MediaAsset> processing(String streamId, String sourceId) {
    return em.createQuery(
            "from MediaAsset where streamId = ?1 and sourceKey = ?2 and status = ?3",
            MediaAsset.class)
        .setParameter(1, streamId)
        .setParameter(2, MediaAsset.sourceKey(sourceId))
        .setParameter(3, AssetStatus.PROCESSING.wire())
        .getResultStream()
        .findFirst();
  }

  private int nextSeq(UUID assetId) {
    Number max =
        (Number)
            em.createQuery("select max(seq) from MediaSegment where assetId = ?1")
                .setParameter(1, assetId)
                .getSingleResult();
    return max == null ? 1 : max.intValue() + 1;
  }

  /**
   * {@code <account>/<stream>/<yyyy/MM/dd>/<asset id>-<source or main>[-<segment>].mp4}: grouped by
   * account, then stream and day, so a bucket listing reads like the API.
   */
  static String objectKey(MediaAsset asset, int seq) {
    return asset.accountId
        + "/"
        + asset.streamName
        + "/"
        + DAY.format(asset.startTime)
        + "/"
        + asset.id
        + "-"
        + (asset.sourceId == null ? "main" : asset.sourceId)
        + (seq == 1 ? "" : "-" + seq)
        + ".mp4";
  }

  static String write(MediaMetadata metadata) {
    try {
      return JSON.writeValueAsString(metadata);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
