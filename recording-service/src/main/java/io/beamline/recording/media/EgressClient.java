package io.beamline.recording.media;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.recording.config.RecordingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Asks stream-service's {@code POST /internal/egress} for a single-use pull URL of a live source,
 * authenticating with the platform's internal API key.
 */
@ApplicationScoped
public class EgressClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final RecordingConfig.Egress config;
  private final HttpClient http;
  private final Path keyFile;
  private String key;
  private FileTime keyModified;

  public EgressClient(RecordingConfig config) {
    this.config = config.egress();
    this.keyFile = this.config.internalKeyFile();
    // HTTP/1.1: an h2c upgrade attempt only adds a round trip on a plain-HTTP internal call.
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(this.config.timeout())
            .build();
  }

  /**
   * A pull URL of the source's current feed.
   *
   * @param url the RTMP URL to give ffmpeg
   * @param feedId the feed it serves
   */
  public record Pull(String url, String feedId) {}

  /**
   * The source's current feed, or empty when it has no live feed (404 {@code stream-not-live}).
   *
   * @throws IOException when stream-service cannot be reached or refuses the request
   */
  public Optional<Pull> pull(String streamId, String sourceId, String workerId) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("streamId", streamId);
    body.put("sourceId", sourceId);
    body.put("purpose", "recording");
    body.put("workerId", workerId);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(config.url() + "/internal/egress"))
            .timeout(config.timeout())
            .header("Authorization", "Bearer " + internalKey())
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while asking for a pull URL", e);
    }
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    if (response.statusCode() != 200) {
      throw new IOException(
          "stream-service answered " + response.statusCode() + " to /internal/egress");
    }
    JsonNode data = JSON.readTree(response.body()).path("data");
    String url = data.path("rtmpUrl").asText(null);
    if (url == null) {
      throw new IOException("stream-service answered without rtmpUrl");
    }
    return Optional.of(new Pull(url, data.path("feedId").asText(null)));
  }

  /**
   * Loads the HTTP client's code and opens a connection to stream-service ahead of the first
   * recording, whose start would otherwise wait for both; failures are ignored.
   */
  public void warmUp() {
    http.sendAsync(
            HttpRequest.newBuilder(URI.create(config.url() + "/q/health/live"))
                .timeout(config.timeout())
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .exceptionally(e -> null);
  }

  /** The key file's content, read again whenever the file changes (key rotation). */
  private synchronized String internalKey() throws IOException {
    FileTime modified = Files.getLastModifiedTime(keyFile);
    if (key == null || !modified.equals(keyModified)) {
      key = Files.readString(keyFile).strip();
      keyModified = modified;
    }
    return key;
  }
}
