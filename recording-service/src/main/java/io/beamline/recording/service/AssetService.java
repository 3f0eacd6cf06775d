package io.beamline.recording.service;

import io.beamline.events.Topics;
import io.beamline.events.recording.RecordingDeletedEvent;
import io.beamline.platform.outbox.OutboxWriter;
import io.beamline.platform.problem.ApiProblemException;
import io.beamline.recording.AssetStatus;
import io.beamline.recording.MediaAsset;
import io.beamline.recording.MediaSegment;
import io.beamline.recording.SegmentStatus;
import io.beamline.recording.storage.ObjectStore;
import io.beamline.recording.storage.ObjectStore.StoreException;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.TypedQuery;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** An account's media assets: queries, deletion with their objects, and storage usage. */
@ApplicationScoped
public class AssetService {

  private final EntityManager em;
  private final OutboxWriter outbox;
  private final ObjectStore store;

  public AssetService(EntityManager em, OutboxWriter outbox, ObjectStore store) {
    this.em = em;
    this.outbox = outbox;
    this.store = store;
  }

  /**
   * Filters of a list query; null = any.
   *
   * @param type asset type
   * @param status asset status; null lists every status but {@code deleted}
   * @param streamName stream name
   * @param tokenId publish token id
   * @param sourceId source id ({@code ""} would not match the main source: use {@code main})
   */
  public record Filter(
      String type, String status, String streamName, Long tokenId, String sourceId) {}

  /** Sort keys of the reference API and the column each sorts by. */
  public static final Map<String, String> SORTS =
      Map.of(
          "startTime", "startTime",
          "stopTime", "stopTime",
          "streamName", "streamName",
          "tokenId", "tokenId",
          "created", "created");

  /**
   * A page of assets.
   *
   * @param items the assets on this page
   * @param totalItems how many match
   */
  public record Page(List<MediaAsset> items, long totalItems) {}

  @Transactional
  public Page list(
      String accountId, Filter filter, String sort, boolean desc, int page, int limit) {
    StringBuilder where = new StringBuilder(" where accountId = :account");
    if (filter.type() != null) {
      where.append(" and type = :type");
    }
    if (filter.status() != null) {
      where.append(" and status = :status");
    } else {
      where.append(" and status <> 'deleted'");
    }
    if (filter.streamName() != null) {
      where.append(" and streamName = :streamName");
    }
    if (filter.tokenId() != null) {
      where.append(" and tokenId = :tokenId");
    }
    if (filter.sourceId() != null) {
      where.append(" and sourceKey = :sourceKey");
    }
    String order = " order by " + SORTS.get(sort) + (desc ? " desc" : " asc") + ", id asc";
    TypedQuery<MediaAsset> query =
        em.createQuery("from MediaAsset" + where + order, MediaAsset.class);
    TypedQuery<Long> count = em.createQuery("select count(*) from MediaAsset" + where, Long.class);
    for (TypedQuery<?> q : List.of(query, count)) {
      q.setParameter("account", accountId);
      if (filter.type() != null) {
        q.setParameter("type", filter.type());
      }
      if (filter.status() != null) {
        q.setParameter("status", filter.status());
      }
      if (filter.streamName() != null) {
        q.setParameter("streamName", filter.streamName());
      }
      if (filter.tokenId() != null) {
        q.setParameter("tokenId", filter.tokenId());
      }
      if (filter.sourceId() != null) {
        q.setParameter("sourceKey", "main".equals(filter.sourceId()) ? "" : filter.sourceId());
      }
    }
    List<MediaAsset> items =
        query.setFirstResult((page - 1) * limit).setMaxResults(limit).getResultList();
    return new Page(items, count.getSingleResult());
  }

  /** One asset of the account; another account's asset is "not found". */
  @Transactional
  public MediaAsset get(String accountId, UUID id) {
    MediaAsset asset = em.find(MediaAsset.class, id);
    if (asset == null || !asset.accountId.equals(accountId)) {
      throw ApiProblemException.notFound("media asset", id.toString());
    }
    return asset;
  }

  @Transactional
  public List<MediaSegment> segments(UUID assetId) {
    return em.createQuery("from MediaSegment where assetId = ?1 order by seq", MediaSegment.class)
        .setParameter(1, assetId)
        .getResultList();
  }

  /**
   * Deletes an asset and its objects; emits {@code recording-deleted}.
   *
   * @throws ApiProblemException 404 when the account has no such asset, 409 while it is recorded
   */
  public void delete(String accountId, UUID id) {
    QuarkusTransaction.requiringNew().run(() -> markDeleting(accountId, id));
    removeObjects(id, "deleted");
  }

  /**
   * Deletes every asset of a type that is not being recorded.
   *
   * @return the assets that could not be deleted, by id, with why
   */
  public Map<String, String> deleteAll(String accountId, String type) {
    Map<String, String> errors = new java.util.LinkedHashMap<>();
    for (UUID id : QuarkusTransaction.requiringNew().call(() -> deletable(accountId, type))) {
      try {
        delete(accountId, id);
      } catch (ApiProblemException e) {
        errors.put(id.toString(), e.getMessage());
      } catch (RuntimeException e) {
        Log.warnf("deleting media asset %s failed: %s", id, e.getMessage());
        errors.put(id.toString(), "could not be deleted now; retried by reconciliation");
      }
    }
    return errors;
  }

  private List<UUID> deletable(String accountId, String type) {
    return em.createQuery(
            "select id from MediaAsset where accountId = ?1 and type = ?2 and status in ?3"
                + " order by created",
            UUID.class)
        .setParameter(1, accountId)
        .setParameter(2, type)
        .setParameter(3, List.of(AssetStatus.COMPLETE.wire(), AssetStatus.ERROR.wire(), "deleting"))
        .getResultList();
  }

  private MediaAsset markDeleting(String accountId, UUID id) {
    MediaAsset asset = em.find(MediaAsset.class, id, LockModeType.PESSIMISTIC_WRITE);
    if (asset == null
        || !asset.accountId.equals(accountId)
        || AssetStatus.DELETED.wire().equals(asset.status)) {
      throw ApiProblemException.notFound("media asset", id.toString());
    }
    if (AssetStatus.PROCESSING.wire().equals(asset.status)) {
      throw ApiProblemException.conflict(
          "recording_in_progress",
          "media asset " + id + " is still being recorded; delete it once it is complete");
    }
    asset.status = AssetStatus.DELETING.wire();
    return asset;
  }

  /**
   * Removes the objects of an asset marked {@code deleting}, then records it as deleted. Also the
   * reconciliation's repair of a deletion interrupted between the two.
   */
  public void removeObjects(UUID id, String reason) {
    for (MediaSegment segment : QuarkusTransaction.requiringNew().call(() -> segments(id))) {
      try {
        if (segment.uploadId != null) {
          store.abortUpload(segment.objectKey, segment.uploadId);
        }
        store.remove(segment.objectKey);
      } catch (StoreException e) {
        // Left "deleting": the reconciliation finishes the job.
        throw new IllegalStateException(
            "cannot remove " + segment.objectKey + ": " + e.getMessage(), e);
      }
    }
    QuarkusTransaction.requiringNew().run(() -> markDeleted(id, reason));
  }

  private void markDeleted(UUID id, String reason) {
    MediaAsset asset = em.find(MediaAsset.class, id, LockModeType.PESSIMISTIC_WRITE);
    if (asset == null || !"deleting".equals(asset.status)) {
      return;
    }
    Instant now = Instant.now();
    em.createQuery("update MediaSegment set status = ?1, uploadId = null where assetId = ?2")
        .setParameter(1, SegmentStatus.DELETED.wire())
        .setParameter(2, id)
        .executeUpdate();
    List<MediaSegment> segments = segments(id);
    long freed = asset.sizeBytes;
    asset.status = AssetStatus.DELETED.wire();
    asset.removed = now;
    asset.sizeBytes = 0;
    outbox.append(
        Topics.RECORDING_DELETED,
        asset.streamId,
        new RecordingDeletedEvent(
            UUID.randomUUID(),
            asset.accountId,
            now,
            asset.id.toString(),
            asset.streamId,
            asset.streamName,
            asset.tokenId,
            asset.sourceId,
            store.bucket(),
            segments.isEmpty() ? null : segments.get(0).objectKey,
            freed,
            reason));
  }

  /**
   * Storage an account uses.
   *
   * @param totalBytes bytes stored (complete assets plus what recordings have uploaded so far)
   * @param assets assets that hold objects
   * @param processing recordings in progress
   * @param gigabyteHours storage over time of the assets stored now (the reference's usage figure):
   *     each complete asset's size in GB (10^9 bytes) times the hours since it stopped, plus each
   *     running recording's uploaded GB times the hours since it started (an approximation from
   *     above: its parts arrived over that time)
   */
  public record Usage(long totalBytes, long assets, long processing, double gigabyteHours) {}

  @Transactional
  public Usage usage(String accountId) {
    Object[] row =
        (Object[])
            em.createNativeQuery(
                    "select coalesce(sum(case when a.status = 'processing' then"
                        + " (select coalesce(sum(s.size_bytes), 0) from media_segment s"
                        + " where s.asset_id = a.id) else a.size_bytes end), 0),"
                        + " count(*) filter (where a.status in ('complete', 'processing')),"
                        + " count(*) filter (where a.status = 'processing'),"
                        + " coalesce(sum(case"
                        + " when a.status = 'complete' then a.size_bytes"
                        + " * extract(epoch from now() - coalesce(a.stop_time, a.created))"
                        + " when a.status = 'processing' then"
                        + " (select coalesce(sum(s.size_bytes), 0) from media_segment s"
                        + " where s.asset_id = a.id)"
                        + " * extract(epoch from now() - a.start_time)"
                        + " else 0 end), 0) / 3.6e12"
                        + " from media_asset a where a.account_id = ?1")
                .setParameter(1, accountId)
                .getSingleResult();
    return new Usage(
        ((Number) row[0]).longValue(),
        ((Number) row[1]).longValue(),
        ((Number) row[2]).longValue(),
        ((Number) row[3]).doubleValue());
  }

  /**
   * Deletes up to {@code max} finished assets whose {@code expiration} has passed, with their
   * objects; {@code recording-deleted} says {@code expired}.
   *
   * @return the ids deleted
   */
  public List<UUID> deleteExpired(int max) {
    List<UUID> due =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    em.createQuery(
                            "select id from MediaAsset where expiration < ?1 and status in ?2"
                                + " order by expiration",
                            UUID.class)
                        .setParameter(1, Instant.now())
                        .setParameter(
                            2, List.of(AssetStatus.COMPLETE.wire(), AssetStatus.ERROR.wire()))
                        .setMaxResults(max)
                        .getResultList());
    List<UUID> deleted = new ArrayList<>();
    for (UUID id : due) {
      boolean marked =
          QuarkusTransaction.requiringNew()
              .call(
                  () -> {
                    MediaAsset asset =
                        em.find(MediaAsset.class, id, LockModeType.PESSIMISTIC_WRITE);
                    if (asset == null
                        || asset.expiration == null
                        || asset.expiration.isAfter(Instant.now())
                        || !(AssetStatus.COMPLETE.wire().equals(asset.status)
                            || AssetStatus.ERROR.wire().equals(asset.status))) {
                      return false;
                    }
                    asset.status = AssetStatus.DELETING.wire();
                    return true;
                  });
      if (marked) {
        // A failure here leaves it "deleting": the reconciliation finishes it.
        removeObjects(id, "expired");
        deleted.add(id);
      }
    }
    return deleted;
  }

  /** Ids of assets whose deletion was interrupted (status {@code deleting}). */
  @Transactional
  public List<UUID> interruptedDeletions() {
    return new ArrayList<>(
        em.createQuery("select id from MediaAsset where status = 'deleting'", UUID.class)
            .getResultList());
  }
}
