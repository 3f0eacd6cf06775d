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

  /** The target's stream key (RTMP) or stream id (SRT): a credential, never shown in full. */
  @Column(name = "stream_key", nullable = false)
  public String streamKey;

  public String label;

  @Column(nullable = false)
  public boolean enabled;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;
}
