package io.beamline.stream.media.nginx;

import io.beamline.stream.config.StreamConfig;
import io.beamline.stream.media.MediaNodeControl;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** Drives an nginx-rtmp node through its {@code /control} endpoint. */
@ApplicationScoped
public class NginxControl implements MediaNodeControl {

  private final StreamConfig.MediaNode node;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  public NginxControl(StreamConfig config) {
    this.node = config.mediaNode();
  }

  @Override
  public void dropPublisher(String feedId) {
    send("/control/drop/publisher?app=" + enc(node.app()) + "&name=" + enc(feedId));
  }

  @Override
  public void dropViewers(String feedId) {
    send("/control/drop/subscriber?app=" + enc(node.app()) + "&name=" + enc(feedId));
  }

  @Override
  public void dropViewer(String feedId, String mediaClientId) {
    send(
        "/control/drop/client?app="
            + enc(node.app())
            + "&name="
            + enc(feedId)
            + "&clientid="
            + enc(mediaClientId));
  }

  @Override
  public Optional<String> mediaPlaylist(String feedId) {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(node.controlUrl() + "/hls-files/" + enc(feedId) + ".m3u8"))
            .timeout(Duration.ofSeconds(1))
            .GET()
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
    } catch (java.io.IOException e) {
      Log.warnf("media node %s: no playlist of feed %s: %s", node.id(), feedId, e.getMessage());
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private void send(String pathAndQuery) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(node.controlUrl() + pathAndQuery))
            .timeout(Duration.ofSeconds(2))
            .GET()
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      // The body is the number of sessions dropped; 0 means the session was already gone.
      Log.infof(
          "media node %s: %s -> %d %s",
          node.id(), pathAndQuery, response.statusCode(), response.body().strip());
    } catch (java.io.IOException e) {
      Log.warnf("media node %s unreachable for %s: %s", node.id(), pathAndQuery, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
