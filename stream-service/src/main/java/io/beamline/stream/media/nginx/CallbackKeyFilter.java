package io.beamline.stream.media.nginx;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Refuses media-node callbacks that do not carry the node's callback key ({@link CallbackKey}). */
public class CallbackKeyFilter {

  private final CallbackKey key;

  public CallbackKeyFilter(CallbackKey key) {
    this.key = key;
  }

  void warnWhenOpen(@Observes StartupEvent started) {
    if (key.open()) {
      Log.warn(
          "beamline.stream.media-node.callback-key is not set: media callbacks under /media/ are"
              + " accepted from anyone who can reach this service (development only)");
    }
  }

  @ServerRequestFilter(preMatching = true)
  public Optional<Response> checkKey(ContainerRequestContext request) {
    String path = request.getUriInfo().getPath();
    if (!path.startsWith("/media/")
        || key.accepts(path, request.getUriInfo().getQueryParameters().getFirst("key"))) {
      return Optional.empty();
    }
    return Optional.of(Response.status(Response.Status.FORBIDDEN).build());
  }
}
