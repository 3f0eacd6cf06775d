package io.beamline.stream;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A grant the Director issued, referenced by the id inside its media JWT. */
@Entity
@Table(name = "media_grant")
public class IssuedGrant extends PanacheEntityBase {

  @Id public String id;

  public String action;

  @Column(name = "account_id")
  public String accountId;

  @Column(name = "stream_name")
  public String streamName;

  @Column(name = "client_ip")
  public String clientIp;

  @Column(name = "token_id")
  public Long tokenId;

  @Column(name = "tracking_id")
  public String trackingId;

  @Column(name = "client_country")
  public String clientCountry;

  public boolean record;

  public boolean multisource;

  public boolean secure;

  public Integer priority;

  @Column(name = "viewer_token_id")
  public String viewerTokenId;

  @Column(name = "source_id")
  public String sourceId;

  @Column(name = "expires_at")
  public Instant expiresAt;

  @Column(name = "created_at")
  public Instant createdAt;
}
