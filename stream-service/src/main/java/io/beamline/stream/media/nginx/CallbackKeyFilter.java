package io.beamline.stream.media.nginx;

import io.beamline.stream.config.StreamConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses media-node callbacks that do not carry the node's callback key: without it, anyone who
 * reaches stream-service could end streams or invent viewers.
 */
public class CallbackKeyFilter {

  private final Optional<byte[]> key;

  public CallbackKeyFilter(StreamConfig config) {
    this.key =
        config
            .mediaNode()
            .callbackKey()
            .filter(k -> !k.isBlank())
            .map(k -> k.strip().getBytes(StandardCharsets.UTF_8));
  }

  void warnWhenOpen(@Observes StartupEvent started) {
    if (key.isEmpty()) {
      Log.warn(
          "beamline.stream.media-node.callback-key is not set: media callbacks under /media/ are"
              + " accepted from anyone who can reach this service (development only)");
    }
  }

  @ServerRequestFilter(preMatching = true)
  public Optional<Response> checkKey(ContainerRequestContext request) {
    if (key.isEmpty() || !request.getUriInfo().getPath().startsWith("/media/")) {
      return Optional.empty();
    }
    String presented = request.getUriInfo().getQueryParameters().getFirst("key");
    boolean valid =
        presented != null
            && MessageDigest.isEqual(key.get(), presented.getBytes(StandardCharsets.UTF_8));
    if (valid) {
      return Optional.empty();
    }
    Log.warnf(
        "media callback %s refused: %s callback key",
        request.getUriInfo().getPath(), presented == null ? "no" : "wrong");
    return Optional.of(Response.status(Response.Status.FORBIDDEN).build());
  }
}
