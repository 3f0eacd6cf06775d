package io.beamline.token;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A publish or subscribe token: an opaque secret plus the rules (streams, origins, IPs, countries,
 * expiry) under which it lets a client publish or watch. The secret and the restream targets are
 * stored sealed; {@code io.beamline.token.service.TokenSecrets} opens them.
 */
@Entity
@Table(name = "streaming_token")
public class StreamingToken {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long id;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public StreamingTokenKind kind;

  @Column(name = "account_id", nullable = false)
  public String accountId;

  @Column(nullable = false)
  public String label;

  /** AES-256-GCM sealed secret string (IV || ciphertext || tag); never logged. */
  @Column(name = "secret_sealed", nullable = false)
  public byte[] secretSealed;

  /** Master-key version that sealed {@link #secretSealed} and {@link #restreamSealed}. */
  @Column(name = "secret_key_version", nullable = false)
  public int secretKeyVersion;

  /** SHA-256 of the secret's ASCII bytes, for look-up by the opaque secret. */
  @Column(name = "secret_digest", nullable = false)
  public byte[] secretDigest;

  @Column(name = "added_on", nullable = false)
  public Instant addedOn;

  /** Null = never expires. */
  @Column(name = "expires_on")
  public Instant expiresOn;

  @Column(name = "is_active", nullable = false)
  public boolean isActive;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(nullable = false)
  public List<TokenStream> streams = new ArrayList<>();

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "allowed_origins", nullable = false)
  public List<String> allowedOrigins = new ArrayList<>();

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "allowed_ip_addresses", nullable = false)
  public List<String> allowedIpAddresses = new ArrayList<>();

  /** Bind to the first N client IPs seen; null = no binding. */
  @Column(name = "bind_ips_on_usage")
  public Integer bindIpsOnUsage;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "allowed_countries", nullable = false)
  public List<String> allowedCountries = new ArrayList<>();

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "denied_countries", nullable = false)
  public List<String> deniedCountries = new ArrayList<>();

  /** Null = the account's default cluster ({@code auto}). */
  @Column(name = "origin_cluster")
  public String originCluster;

  @Column(name = "subscribe_requires_auth", nullable = false)
  public boolean subscribeRequiresAuth;

  @Column(nullable = false)
  public boolean record;

  @Column(nullable = false)
  public boolean multisource = true;

  public Integer priority;

  /** Sealed JSON array of {@link RestreamTarget}; null = none. Publish tokens only. */
  @Column(name = "restream_sealed")
  public byte[] restreamSealed;

  /** True when at least one restream target is enabled. */
  @Column(name = "restream_enabled", nullable = false)
  public boolean restreamEnabled;

  @Column(name = "tracking_id")
  public String trackingId;

  @Column(nullable = false)
  public long revision;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;

  @Column(name = "deleted_at")
  public Instant deletedAt;

  @Column(name = "expiry_announced", nullable = false)
  public boolean expiryAnnounced;

  /** Whether the token lets a client in at {@code now}: active, not deleted, not expired. */
  public boolean usable(Instant now) {
    return isActive && deletedAt == null && (expiresOn == null || expiresOn.isAfter(now));
  }
}
