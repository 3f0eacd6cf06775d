package io.beamline.token;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * An account's geo-blocking defaults, inherited by every token that sets neither allowed nor denied
 * countries itself. No row means no restriction.
 */
@Entity
@Table(name = "account_security")
public class AccountSecurity {

  @Id
  @Column(name = "account_id")
  public String accountId;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "allowed_countries", nullable = false)
  public List<String> allowedCountries = new ArrayList<>();

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "denied_countries", nullable = false)
  public List<String> deniedCountries = new ArrayList<>();

  @Column(nullable = false)
  public long revision;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;
}
