package io.beamline.syndication;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * What the stream events last said about one stream: whether it is live, with which publish token,
 * whether it may be restreamed, and which Kafka partition (hence which instance) owns its jobs.
 */
@Entity
@Table(name = "restream_stream")
public class StreamState {

  /** {@code accountId/streamName}. */
  @Id
  @Column(name = "stream_id")
  public String streamId;

  @Column(name = "account_id", nullable = false)
  public String accountId;

  @Column(name = "stream_name", nullable = false)
  public String streamName;

  @Column(name = "partition_no", nullable = false)
  public int partition;

  /** Publish token of the feed being restreamed; its targets apply. */
  @Column(name = "token_id")
  public Long tokenId;

  @Column(nullable = false)
  public boolean live;

  /** Whether a feed that may be restreamed started (publishers can opt out with noRestream). */
  @Column(nullable = false)
  public boolean restream;

  /** Highest sequence of a start event applied; an end with a lower one is stale. */
  @Column(name = "live_sequence", nullable = false)
  public long liveSequence;

  /** Highest sequence of an end event applied; a start with a lower one is stale. */
  @Column(name = "end_sequence", nullable = false)
  public long endSequence;

  @Column(name = "started_at")
  public Instant startedAt;

  @Column(name = "ended_at")
  public Instant endedAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;
}
