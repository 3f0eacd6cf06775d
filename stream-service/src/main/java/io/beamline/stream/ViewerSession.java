package io.beamline.stream;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One viewer watching a stream, over RTMP or HLS. */
@Entity
@Table(name = "viewer_session")
public class ViewerSession extends PanacheEntityBase {

  public static final String LIVE = "live";
  public static final String ENDED = "ended";

  @Id public String id;

  @Column(name = "stream_id")
  public String streamId;

  @Column(name = "account_id")
  public String accountId;

  @Column(name = "feed_id")
  public String feedId;

  @Column(name = "token_id")
  public Long tokenId;

  @Column(name = "tracking_id")
  public String trackingId;

  @Column(name = "client_country")
  public String clientCountry;

  public String protocol;

  @Column(name = "media_node_id")
  public String mediaNodeId;

  /** RTMP: the node's connection id. */
  @Column(name = "media_client_id")
  public String mediaClientId;

  /** HLS: the id of the viewer grant (media JWT) its URLs carry. */
  @Column(name = "grant_id")
  public String grantId;

  @Column(name = "internal_reader")
  public boolean internalReader;

  public String state;

  @Column(name = "joined_at")
  public Instant joinedAt;

  @Column(name = "left_at")
  public Instant leftAt;

  @Column(name = "end_reason")
  public String endReason;

  /**
   * Bytes received, as credited when the session ended (or before V7, at each /stat reading); a
   * live RTMP session's own figure is this plus its feed's {@code playerBytesOut} less {@link
   * #feedPlayerBytesAtJoin}.
   */
  @Column(name = "bytes_out")
  public long bytesOut;

  /** Its feed's {@link io.beamline.stream.Feed#playerBytesOut} when the session started. */
  @Column(name = "feed_player_bytes_at_join")
  public long feedPlayerBytesAtJoin;
}
