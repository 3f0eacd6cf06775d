package io.beamline.recording;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * One object of a media asset, written by one ffmpeg run through one multipart upload; playable on
 * its own (it starts with its own fMP4 init segment).
 */
@Entity
@Table(name = "media_segment")
public class MediaSegment {

  @Id public UUID id;

  @Column(name = "asset_id", nullable = false)
  public UUID assetId;

  /** 1 for the first segment of the asset, then 2, 3, ... */
  @Column(nullable = false)
  public int seq;

  @Column(name = "object_key", nullable = false)
  public String objectKey;

  /** The open multipart upload while {@link SegmentStatus#UPLOADING}. */
  @Column(name = "upload_id")
  public String uploadId;

  /** {@link SegmentStatus} in lower case. */
  @Column(nullable = false)
  public String status;

  @Column(name = "size_bytes", nullable = false)
  public long sizeBytes;

  @Column(name = "duration_seconds")
  public Double durationSeconds;

  @Column(name = "started_at", nullable = false)
  public Instant startedAt;

  @Column(name = "completed_at")
  public Instant completedAt;
}
