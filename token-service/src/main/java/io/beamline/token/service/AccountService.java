package io.beamline.token.service;

import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.problem.ApiProblemException;
import io.beamline.token.Account;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Creates accounts, each with a first API key that holds every account scope. */
@ApplicationScoped
public class AccountService {

  private final EntityManager entityManager;
  private final ApiKeyService apiKeys;

  public AccountService(EntityManager entityManager, ApiKeyService apiKeys) {
    this.entityManager = entityManager;
    this.apiKeys = apiKeys;
  }

  /** A new account and its first key; {@code operator} adds the platform admin scope. */
  @Transactional
  public IssuedKey create(String name, boolean operator) {
    Account account = new Account();
    account.id = "acc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    account.name = name;
    account.createdAt = Instant.now();
    entityManager.persist(account);
    List<String> scopes = new ArrayList<>(ApiScopes.ALL);
    if (operator) {
      scopes.add(ApiScopes.PLATFORM_ADMIN);
    }
    return apiKeys.issue(account.id, name + " first key", scopes, null, null);
  }

  @Transactional
  public Account get(String id) {
    Account account = entityManager.find(Account.class, id);
    if (account == null) {
      throw ApiProblemException.notFound("account", id);
    }
    return account;
  }

  @Transactional
  public long count() {
    return entityManager
        .createQuery("select count(a) from Account a", Long.class)
        .getSingleResult();
  }
}
