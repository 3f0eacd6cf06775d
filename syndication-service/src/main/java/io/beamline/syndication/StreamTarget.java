package io.beamline.syndication;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A restream target of one stream of an account (targets of a publish token live in token-service).
 */
@Entity
@Table(name = "restream_target")
public class StreamTarget {

  @Id public UUID id;

  @Column(name = "account_id", nullable = false)
  public String accountId;

  @Column(name = "stream_name", nullable = false)
  public String streamName;

  /** {@code rtmp://}, {@code rtmps://} or {@code srt://} URL without the key. */
  @Column(nullable = false)
  public String url;

  /**
   * The target's stream key (RTMP) or stream id (SRT), sealed with the master key: a credential,
   * never stored in plain text or shown in full (see {@code TargetKeys}).
   */
  @Column(name = "stream_key_sealed", nullable = false)
  public byte[] keySealed;

  /** Master-key version that sealed {@link #keySealed}. */
  @Column(name = "stream_key_version", nullable = false)
  public int keyVersion;

  /** What the API shows of the key: {@code ****} and, for long keys, its last 4 characters. */
  @Column(name = "key_hint", nullable = false)
  public String keyHint;

  public String label;

  @Column(nullable = false)
  public boolean enabled;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;
}
