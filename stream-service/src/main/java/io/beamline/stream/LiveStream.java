package io.beamline.stream;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A logical stream, {@code accountId/streamName}, with its state and per-stream event sequence. */
@Entity
@Table(name = "live_stream")
public class LiveStream extends PanacheEntityBase {

  /** Waiting for its first feed: the Director handed out a publish URL. */
  public static final String STARTING = "starting";

  /** At least one feed is live. */
  public static final String LIVE = "live";

  /** No feed is live. */
  public static final String ENDED = "ended";

  @Id public String id;

  @Column(name = "account_id")
  public String accountId;

  @Column(name = "stream_name")
  public String streamName;

  public String state;

  /** The sequence of the stream's latest event; every new event takes the next one. */
  public long sequence;

  @Column(name = "cluster_id")
  public String clusterId;

  /** The publish token of the feed that started the current (or last) live session. */
  @Column(name = "token_id")
  public Long tokenId;

  /** Whether viewers need a subscribe token ({@code subscribeRequiresAuth}). */
  public boolean secure;

  @Column(name = "started_at")
  public Instant startedAt;

  @Column(name = "ended_at")
  public Instant endedAt;

  /** Bytes received from the feeds of the current (or last) live session. */
  @Column(name = "bytes_in")
  public long bytesIn;

  @Column(name = "updated_at")
  public Instant updatedAt;

  /** The next event sequence number of this stream. */
  public long nextSequence() {
    return ++sequence;
  }
}
