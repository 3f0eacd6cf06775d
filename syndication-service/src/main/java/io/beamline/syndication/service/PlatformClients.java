package io.beamline.syndication.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.syndication.config.SyndicationConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Calls the internal endpoints this service depends on, with the internal key: token-service's
 * restream targets of a publish token and stream-service's egress (pull URL) of a live stream.
 */
@ApplicationScoped
public class PlatformClients {

  private final SyndicationConfig config;
  private final InternalKey internalKey;
  private final ObjectMapper json;
  private final HttpClient http;

  public PlatformClients(SyndicationConfig config, InternalKey internalKey, ObjectMapper json) {
    this.config = config;
    this.internalKey = internalKey;
    this.json = json;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.tokenService().timeout())
            .build();
  }

  /**
   * A token's restream target as token-service stores it.
   *
   * @param url target URL
   * @param key stream key
   * @param label display name; may be null
   * @param enabled whether it is used
   */
  public record TokenTarget(String url, String key, String label, boolean enabled) {}

  /**
   * The pull URL of a live stream for one internal reader.
   *
   * @param rtmpUrl URL ffmpeg reads (carries a short-lived media JWT: ask again for each start)
   * @param feedId feed served
   */
  public record Egress(String rtmpUrl, String feedId) {}

  /** A dependency could not answer; the caller keeps what it has and tries again later. */
  public static final class UnavailableException extends RuntimeException {
    public UnavailableException(String message) {
      super(message);
    }
  }

  /** stream-service says the stream has nothing to read (not live, or not any more). */
  public static final class NotLiveException extends RuntimeException {
    public NotLiveException(String message) {
      super(message);
    }
  }

  /**
   * The restream targets of publish token {@code tokenId} of {@code accountId}; empty when the
   * token does not exist or belongs to another account.
   *
   * @throws UnavailableException when token-service cannot answer
   */
  public List<TokenTarget> tokenTargets(long tokenId, String accountId) {
    HttpResponse<String> response =
        send(
            config.tokenService(),
            HttpRequest.newBuilder(
                    URI.create(
                        config.tokenService().url()
                            + "/internal/publish_token/"
                            + tokenId
                            + "/restream"))
                .GET());
    if (response.statusCode() == 404) {
      return List.of();
    }
    if (response.statusCode() != 200) {
      throw new UnavailableException(
          "token-service answered " + response.statusCode() + " for token " + tokenId);
    }
    try {
      JsonNode data = json.readTree(response.body()).path("data");
      if (!accountId.equals(data.path("accountId").asText())) {
        // A stream event naming another account's token must not reach that token's targets.
        return List.of();
      }
      JsonNode targets = data.path("targets");
      List<TokenTarget> result = new ArrayList<>();
      for (JsonNode t : targets) {
        result.add(
            new TokenTarget(
                t.path("url").asText(null),
                t.path("key").asText(null),
                t.hasNonNull("label") ? t.get("label").asText() : null,
                !t.has("enabled") || t.get("enabled").asBoolean(true)));
      }
      return result;
    } catch (IOException e) {
      throw new UnavailableException("token-service sent unreadable targets: " + e.getMessage());
    }
  }

  /**
   * Asks stream-service for a pull URL of {@code streamId}'s main source.
   *
   * @throws NotLiveException when the stream has no live feed to read
   * @throws UnavailableException when stream-service cannot answer
   */
  public Egress egress(String streamId, String workerId) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("streamId", streamId);
    body.put("sourceId", null);
    body.put("purpose", "restream");
    body.put("workerId", workerId);
    HttpResponse<String> response;
    try {
      response =
          send(
              config.streamService(),
              HttpRequest.newBuilder(URI.create(config.streamService().url() + "/internal/egress"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (response.statusCode() == 404) {
      throw new NotLiveException("stream " + streamId + " has no live feed");
    }
    if (response.statusCode() != 200) {
      throw new UnavailableException("stream-service answered " + response.statusCode());
    }
    try {
      JsonNode data = json.readTree(response.body()).path("data");
      String url = data.path("rtmpUrl").asText(null);
      if (url == null || url.isBlank()) {
        throw new UnavailableException("stream-service sent no rtmpUrl");
      }
      return new Egress(url, data.path("feedId").asText(null));
    } catch (IOException e) {
      throw new UnavailableException("stream-service sent an unreadable egress: " + e.getMessage());
    }
  }

  private HttpResponse<String> send(
      SyndicationConfig.Service service, HttpRequest.Builder request) {
    Duration timeout = service.timeout();
    try {
      return http.send(
          request.timeout(timeout).header("Authorization", "Bearer " + internalKey.get()).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException | UncheckedIOException e) {
      throw new UnavailableException(service.url() + " unreachable: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted");
    }
  }
}
