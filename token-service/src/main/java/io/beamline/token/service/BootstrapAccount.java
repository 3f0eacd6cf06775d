package io.beamline.token.service;

import io.beamline.platform.auth.ApiScopes;
import io.beamline.token.config.BootstrapConfig;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;

/**
 * Creates the operator's first account and API key from configuration when the database has no
 * account yet, and writes the key where the operator can read it.
 */
@ApplicationScoped
public class BootstrapAccount {

  /** Advisory lock so that instances starting together bootstrap once. */
  private static final long BOOTSTRAP_LOCK = 0x626f6f74L;

  private final BootstrapConfig config;
  private final AccountService accounts;
  private final EntityManager entityManager;
  private final ApiKeyService apiKeys;

  public BootstrapAccount(
      BootstrapConfig config,
      AccountService accounts,
      EntityManager entityManager,
      ApiKeyService apiKeys) {
    this.config = config;
    this.accounts = accounts;
    this.entityManager = entityManager;
    this.apiKeys = apiKeys;
  }

  void onStart(@Observes StartupEvent ignored) {
    if (config.accountName().isEmpty()) {
      return;
    }
    boolean fresh = bootstrap();
    config.internalKeyFile().map(Path::of).ifPresent(file -> issueInternalKey(file, fresh));
  }

  /**
   * Writes a key with {@code platform:internal} for the platform's own services, owned by the first
   * (operator) account, unless the file exists already (a left-over file is replaced when the
   * database is new: its key cannot verify any more).
   */
  private void issueInternalKey(Path file, boolean fresh) {
    if (Files.exists(file) && !fresh) {
      return;
    }
    IssuedKey issued =
        QuarkusTransaction.requiringNew()
            .call(
                () -> {
                  entityManager
                      .createNativeQuery("select pg_advisory_xact_lock(?1)")
                      .setParameter(1, BOOTSTRAP_LOCK)
                      .getSingleResult();
                  List<?> first =
                      entityManager
                          .createNativeQuery("select id from account order by created_at, id")
                          .setMaxResults(1)
                          .getResultList();
                  if (first.isEmpty()) {
                    return null;
                  }
                  return apiKeys.issue(
                      (String) first.get(0),
                      "platform services",
                      List.of(ApiScopes.PLATFORM_INTERNAL),
                      Instant.now().plus(config.apiKeyLifetime()),
                      null);
                });
    if (issued != null) {
      write(file, issued.key());
      Log.infof("bootstrap: internal API key %d issued", issued.record().id);
    }
  }

  /** Creates the first account when there is none; returns whether it did. */
  private boolean bootstrap() {
    IssuedKey issued =
        QuarkusTransaction.requiringNew()
            .call(
                () -> {
                  entityManager
                      .createNativeQuery("select pg_advisory_xact_lock(?1)")
                      .setParameter(1, BOOTSTRAP_LOCK)
                      .getSingleResult();
                  if (accounts.count() > 0) {
                    return null;
                  }
                  return accounts.create(config.accountName().get(), true);
                });
    if (issued == null) {
      Log.debug("bootstrap: accounts exist already, nothing to do");
      return false;
    }
    Log.infof(
        "bootstrap: created account %s (%s) and API key %d",
        issued.record().accountId, config.accountName().get(), issued.record().id);
    config
        .apiKeyFile()
        .map(Path::of)
        .ifPresentOrElse(
            file -> write(file, issued.key()),
            () ->
                Log.warn(
                    "bootstrap: no beamline.bootstrap.api-key-file set; the key is: "
                        + issued.key()));
    return true;
  }

  private static void write(Path file, String key) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".api-key", ".tmp");
      try {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system: rely on the directory's permissions.
      }
      Files.writeString(temp, key + "\n", StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Log.infof("bootstrap: API key written to %s", file.toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the bootstrap API key to " + file, e);
    }
  }
}
