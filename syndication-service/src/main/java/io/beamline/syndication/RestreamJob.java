package io.beamline.syndication;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * One push of one live stream session to one target, with its state machine: {@code pending ->
 * connecting -> live -> retrying -> failed}, or {@code stopped}.
 */
@Entity
@Table(name = "restream_job")
public class RestreamJob {

  public static final String PENDING = "pending";
  public static final String CONNECTING = "connecting";
  public static final String LIVE = "live";
  public static final String RETRYING = "retrying";
  public static final String FAILED = "failed";
  public static final String STOPPED = "stopped";

  /** States in which a job wants to push (and an instance runs its ffmpeg). */
  public static final Set<String> ACTIVE = Set.of(PENDING, CONNECTING, LIVE, RETRYING);

  @Id public UUID id;

  @Column(name = "account_id", nullable = false)
  public String accountId;

  @Column(name = "stream_id", nullable = false)
  public String streamId;

  @Column(name = "stream_name", nullable = false)
  public String streamName;

  @Column(name = "partition_no", nullable = false)
  public int partition;

  /**
   * {@code s-<uuid>} for a stream target, {@code t<tokenId>-<hash of url and key>} for a token's
   * target (token targets have no id of their own).
   */
  @Column(name = "target_id", nullable = false)
  public String targetId;

  @Column(name = "token_id")
  public Long tokenId;

  public String label;

  @Column(nullable = false)
  public String url;

  /** The target's key, sealed with the master key (see {@code TargetKeys}). */
  @Column(name = "stream_key_sealed", nullable = false)
  public byte[] keySealed;

  /** Master-key version that sealed {@link #keySealed}. */
  @Column(name = "stream_key_version", nullable = false)
  public int keyVersion;

  @Column(nullable = false)
  public String state;

  /** Connection attempts made, counting up across retries. */
  @Column(nullable = false)
  public int attempt;

  /** Secret-free reason of the last failure. */
  @Column(name = "last_error")
  public String lastError;

  @Column(name = "stop_reason")
  public String stopReason;

  /** Instance running the job; the owner of its stream's partition claims it. */
  public String owner;

  @Column(name = "lease_until")
  public Instant leaseUntil;

  @Column(name = "bytes_out", nullable = false)
  public long bytesOut;

  /** Media time pushed, summed over the job's connections. */
  @Column(name = "pushed_ms", nullable = false)
  public long pushedMs;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  /** When it last went live. */
  @Column(name = "live_at")
  public Instant liveAt;

  @Column(name = "ended_at")
  public Instant endedAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;

  public boolean active() {
    return ACTIVE.contains(state);
  }
}
