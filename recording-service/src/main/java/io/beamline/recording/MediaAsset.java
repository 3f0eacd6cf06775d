package io.beamline.recording;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/** A media asset of an account: a recording of one source of a live stream (v3 media assets). */
@Entity
@Table(name = "media_asset")
public class MediaAsset {

  @Id public UUID id;

  @Column(name = "account_id", nullable = false)
  public String accountId;

  /** {@link AssetType} in lower case. */
  @Column(nullable = false)
  public String type;

  /** {@link AssetStatus} in lower case. */
  @Column(nullable = false)
  public String status;

  @Column(name = "stream_id", nullable = false)
  public String streamId;

  @Column(name = "stream_name", nullable = false)
  public String streamName;

  @Column(name = "token_id", nullable = false)
  public long tokenId;

  @Column(name = "source_id")
  public String sourceId;

  @Column(name = "source_key", nullable = false)
  public String sourceKey;

  @Column(name = "feed_id")
  public String feedId;

  /**
   * Kafka partition of the stream's events; the instance assigned it owns the recording (null for
   * recordings created before partitions were recorded: any instance may take those over).
   */
  @Column(name = "stream_partition")
  public Integer streamPartition;

  public String name;

  @Column(name = "start_time", nullable = false)
  public Instant startTime;

  @Column(name = "stop_time")
  public Instant stopTime;

  @Column(name = "size_bytes", nullable = false)
  public long sizeBytes;

  @Column(name = "duration_seconds")
  public Double durationSeconds;

  /** The ffprobe metadata as JSON ({@code AssetMetadata}); null until the asset is complete. */
  public String metadata;

  public String error;

  /** Worker instance writing it while processing; it renews {@link #leaseUntil}. */
  public String owner;

  @Column(name = "lease_until")
  public Instant leaseUntil;

  /** Last time the source was seen live; the reconnect window counts from here. */
  @Column(name = "last_live_at")
  public Instant lastLiveAt;

  @Column(name = "end_requested", nullable = false)
  public boolean endRequested;

  @Column(nullable = false)
  public Instant created;

  public Instant removed;

  /** When the retention job deletes it; null = kept until deleted through the API. */
  public Instant expiration;

  @Version public long version;

  /** The stored form of a source id: the main source (null) is the empty string. */
  public static String sourceKey(String sourceId) {
    return sourceId == null ? "" : sourceId;
  }
}
