package io.beamline.token.service;

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

  public BootstrapAccount(
      BootstrapConfig config, AccountService accounts, EntityManager entityManager) {
    this.config = config;
    this.accounts = accounts;
    this.entityManager = entityManager;
  }

  void onStart(@Observes StartupEvent ignored) {
    if (config.accountName().isEmpty()) {
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
                  if (accounts.count() > 0) {
                    return null;
                  }
                  return accounts.create(config.accountName().get(), true);
                });
    if (issued == null) {
      Log.debug("bootstrap: accounts exist already, nothing to do");
      return;
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
