package io.beamline.stream;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One publisher connection of a stream: a source, a backup of a source (same sourceId, other
 * priority) or a simulcast layer (shared simulcastId).
 */
@Entity
@Table(name = "feed")
public class Feed extends PanacheEntityBase {

  public static final String LIVE = "live";
  public static final String ENDED = "ended";

  /** Also the name the media node knows the feed by (the 302 rename of {@code on_publish}). */
  @Id public String id;

  @Column(name = "stream_id")
  public String streamId;

  @Column(name = "account_id")
  public String accountId;

  @Column(name = "token_id")
  public long tokenId;

  @Column(name = "source_id")
  public String sourceId;

  public Integer priority;

  @Column(name = "simulcast_id")
  public String simulcastId;

  @Column(name = "media_node_id")
  public String mediaNodeId;

  @Column(name = "media_client_id")
  public String mediaClientId;

  public String protocol;

  @Column(name = "client_ip")
  public String clientIp;

  @Column(name = "client_country")
  public String clientCountry;

  public boolean record;

  public boolean restream;

  public String state;

  @Column(name = "started_at")
  public Instant startedAt;

  @Column(name = "ended_at")
  public Instant endedAt;

  @Column(name = "end_reason")
  public String endReason;

  @Column(name = "bytes_in")
  public long bytesIn;

  /**
   * Bytes each RTMP player of the feed has received so far (see V7 migration). Only ever added to
   * by one statement ({@code StreamLifecycle.addPlayerBytes}): never written from the entity, whose
   * copy may be older than the row.
   */
  @Column(name = "player_bytes_out", insertable = false, updatable = false)
  public long playerBytesOut;

  /** Video codec as the node reports it (e.g. {@code H264}); null until known or audio-only. */
  @Column(name = "video_codec")
  public String videoCodec;

  /** Audio codec as the node reports it (e.g. {@code AAC}); null until known or video-only. */
  @Column(name = "audio_codec")
  public String audioCodec;

  @Column(name = "video_width")
  public Integer videoWidth;

  @Column(name = "video_height")
  public Integer videoHeight;

  /** Incoming bits per second, as the node measures it. */
  public Long bandwidth;

  /** Whether the node has told what the feed carries yet. */
  public boolean mediaKnown() {
    return videoCodec != null || audioCodec != null;
  }

  /** A feed with sound and no picture: an alternate audio rendition. */
  public boolean audioOnly() {
    return videoCodec == null && audioCodec != null;
  }
}
