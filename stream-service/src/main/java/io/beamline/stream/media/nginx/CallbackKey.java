package io.beamline.stream.media.nginx;

import io.beamline.stream.config.StreamConfig;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The media node's callback key ({@code beamline.stream.media-node.callback-key}): without it,
 * anyone who reaches stream-service could end streams or invent viewers.
 */
@ApplicationScoped
public class CallbackKey {

  private final Optional<byte[]> key;

  public CallbackKey(StreamConfig config) {
    this.key =
        config
            .mediaNode()
            .callbackKey()
            .filter(k -> !k.isBlank())
            .map(k -> k.strip().getBytes(StandardCharsets.UTF_8));
  }

  /** Whether no key is configured (development only). */
  boolean open() {
    return key.isEmpty();
  }

  /** Whether a callback presenting {@code presented} ({@code ?key=}) is let in. */
  boolean matches(String presented) {
    return key.isEmpty()
        || (presented != null
            && MessageDigest.isEqual(key.get(), presented.getBytes(StandardCharsets.UTF_8)));
  }

  /** {@link #matches}, logging a refusal. */
  boolean accepts(String path, String presented) {
    boolean valid = matches(presented);
    if (!valid) {
      Log.warnf(
          "media callback %s refused: %s callback key", path, presented == null ? "no" : "wrong");
    }
    return valid;
  }
}
