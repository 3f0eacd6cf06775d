package io.beamline.token.service;

import io.beamline.token.Account;
import io.beamline.token.AccountSecurity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * An account's geo-blocking defaults: the allowed or denied countries a token inherits when it sets
 * neither list itself.
 */
@ApplicationScoped
public class AccountSecurityService {

  private final EntityManager entityManager;
  private final TokenRules rules;
  private final Event<AccountSecurityChanged> changed;

  public AccountSecurityService(
      EntityManager entityManager, TokenRules rules, Event<AccountSecurityChanged> changed) {
    this.entityManager = entityManager;
    this.rules = rules;
    this.changed = changed;
  }

  /** The account's defaults; an account that never set any has empty lists. */
  @Transactional
  public AccountSecurity get(String accountId) {
    AccountSecurity security = entityManager.find(AccountSecurity.class, accountId);
    if (security == null) {
      security = new AccountSecurity();
      security.accountId = accountId;
      security.revision = 0;
    }
    return security;
  }

  /**
   * Replaces the lists that are given (null = keep; an empty list clears). Only one of the two may
   * be non-empty afterwards.
   */
  @Transactional
  public AccountSecurity update(
      String accountId,
      List<String> allowedCountries,
      String allowedField,
      List<String> deniedCountries,
      String deniedField) {
    TokenRules.Errors errors = new TokenRules.Errors();
    // Serialises changes per account, including the very first one that inserts the row.
    entityManager.find(Account.class, accountId, LockModeType.PESSIMISTIC_WRITE);
    AccountSecurity security = entityManager.find(AccountSecurity.class, accountId);
    boolean fresh = security == null;
    if (fresh) {
      security = new AccountSecurity();
      security.accountId = accountId;
      security.revision = 0;
    }
    List<String> allowed =
        allowedCountries == null
            ? security.allowedCountries
            : rules.countries(allowedCountries, allowedField, errors);
    List<String> denied =
        deniedCountries == null
            ? security.deniedCountries
            : rules.countries(deniedCountries, deniedField, errors);
    if (errors.isEmpty() && !allowed.isEmpty() && !denied.isEmpty()) {
      errors.add(
          deniedCountries != null ? deniedField : allowedField,
          "use only one of allowedCountries and deniedCountries");
    }
    errors.throwIfAny();
    if (!fresh
        && allowed.equals(security.allowedCountries)
        && denied.equals(security.deniedCountries)) {
      return security;
    }
    security.allowedCountries = new ArrayList<>(allowed);
    security.deniedCountries = new ArrayList<>(denied);
    security.revision++;
    security.updatedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    if (fresh) {
      entityManager.persist(security);
    }
    changed.fire(new AccountSecurityChanged(accountId));
    return security;
  }
}
