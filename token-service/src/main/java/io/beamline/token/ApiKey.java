package io.beamline.token;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** The stored record of an issued API key; the key itself (a signed JWT) is never stored. */
@Entity
@Table(name = "api_key")
public class ApiKey {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long id;

  @Column(name = "account_id", nullable = false)
  public String accountId;

  @Column(nullable = false)
  public String label;

  /** Space-separated scopes, as in OAuth's {@code scope} claim. */
  @Column(nullable = false)
  public String scopes;

  @Column(name = "signing_key_id", nullable = false)
  public String signingKeyId;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "expires_at", nullable = false)
  public Instant expiresAt;

  @Column(name = "revoked_at")
  public Instant revokedAt;

  @Column(name = "revoke_reason")
  public String revokeReason;

  @Column(name = "replaced_by")
  public Long replacedBy;

  public long revision;

  public List<String> scopeList() {
    return scopes.isBlank() ? List.of() : Arrays.asList(scopes.split(" "));
  }

  public boolean active(Instant now) {
    return revokedAt == null && expiresAt.isAfter(now);
  }
}
