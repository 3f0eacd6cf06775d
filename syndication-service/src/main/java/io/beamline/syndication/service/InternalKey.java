package io.beamline.syndication.service;

import io.beamline.syndication.config.SyndicationConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code platform:internal} API key this service presents to token- and stream-service; the key
 * file is read again when it changes, since token-service may write or rotate it later.
 */
@ApplicationScoped
public class InternalKey {

  private final SyndicationConfig.Internal config;
  private volatile Cached cached;

  private record Cached(long modified, String key) {}

  public InternalKey(SyndicationConfig config) {
    this.config = config.internal();
  }

  /**
   * The key.
   *
   * @throws UncheckedIOException when none is configured or the file cannot be read
   */
  public String get() {
    if (config.key().isPresent() && !config.key().get().isBlank()) {
      return config.key().get().strip();
    }
    if (config.keyFile().isEmpty()) {
      throw new UncheckedIOException(
          new IOException(
              "no internal key: set BEAMLINE_SYNDICATION_INTERNAL_KEY_FILE or _INTERNAL_KEY"));
    }
    Path file = config.keyFile().get();
    try {
      long modified = Files.getLastModifiedTime(file).toMillis();
      Cached current = cached;
      if (current != null && current.modified == modified) {
        return current.key;
      }
      String key = Files.readString(file).strip();
      cached = new Cached(modified, key);
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the internal key file " + file, e);
    }
  }
}
