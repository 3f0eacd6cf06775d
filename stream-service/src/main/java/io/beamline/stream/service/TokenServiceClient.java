package io.beamline.stream.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.platform.problem.ApiProblemException;
import io.beamline.stream.config.StreamConfig;
import io.quarkus.logging.Log;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Calls token-service's internal endpoints: the authorisation decision and viewer-session
 * admission, with the platform's internal key.
 *
 * <p>The two calls every viewer join makes go through Vert.x's pooled, event-loop HTTP client:
 * under a join storm the JDK client kept dozens of callers waiting for answers while token-service
 * sat idle (thread dumps of the viewer-join benchmark). The rare calls use the JDK client.
 */
@ApplicationScoped
public class TokenServiceClient {

  /**
   * Connections to token-service for the join path: enough for the callers a node sends at once.
   */
  private static final int HOT_POOL_SIZE = 64;

  private final StreamConfig.TokenService config;
  private final ObjectMapper json;
  private final HttpClient http;
  private final io.vertx.core.http.HttpClient hot;
  private volatile CachedKey cachedKey;

  private record CachedKey(long modified, String key) {}

  /** One HTTP answer: status and body. */
  record Answer(int statusCode, String body) {}

  public TokenServiceClient(StreamConfig config, ObjectMapper json, Vertx vertx) {
    this.config = config.tokenService();
    this.json = json;
    this.hot =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setKeepAlive(true)
                .setMaxPoolSize(HOT_POOL_SIZE)
                .setConnectTimeout((int) this.config.timeout().toMillis()));
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(this.config.timeout())
            .build();
  }

  /**
   * Asks token-service whether {@code request} may go ahead. When token-service cannot be reached
   * the answer is a refusal ({@code authorization_unavailable}): media is never let through blind.
   */
  public Decision authorize(AuthorizeRequest request) {
    try {
      Answer response = post("/internal/authorize", json.writeValueAsString(request));
      if (response.statusCode() == 200) {
        return json.readValue(response.body(), Decision.class);
      }
      if (response.statusCode() == 400) {
        return Decision.deny("invalid_request", oneLine(response.body()));
      }
      Log.errorf(
          "token-service answered %d to an authorisation: %s",
          response.statusCode(), oneLine(response.body()));
    } catch (IOException | UncheckedIOException e) {
      Log.errorf("token-service unreachable for an authorisation: %s", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Decision.deny("authorization_unavailable", "token-service did not decide");
  }

  /**
   * Reports that a viewer's media started; false when token-service refuses it (viewer cap or
   * single-use token already used), in which case the viewer must be stopped.
   */
  public boolean admitViewer(long tokenId, String sessionId, String viewerTokenId, String account) {
    Map<String, Object> body =
        viewerTokenId == null
            ? Map.of("tokenId", tokenId, "viewerSessionId", sessionId, "accountId", account)
            : Map.of(
                "tokenId",
                tokenId,
                "viewerSessionId",
                sessionId,
                "viewerTokenId",
                viewerTokenId,
                "accountId",
                account);
    try {
      Answer response = post("/internal/viewer-sessions", json.writeValueAsString(body));
      if (response.statusCode() == 409) {
        Log.infof("viewer %s refused at media start: %s", sessionId, oneLine(response.body()));
        return false;
      }
      if (response.statusCode() >= 300) {
        Log.warnf("viewer-session start answered %d", response.statusCode());
      }
    } catch (IOException | UncheckedIOException e) {
      // Caps are a soft limit when token-service is down: the viewer is already authorised.
      Log.warnf("viewer-session start not reported: %s", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return true;
  }

  /** Reports that a viewer's media ended (best effort: token-service ages sessions out anyway). */
  public void viewerEnded(String sessionId) {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    config.url()
                        + "/internal/viewer-sessions/"
                        + URLEncoder.encode(sessionId, StandardCharsets.UTF_8)))
            .timeout(config.timeout())
            .header("Authorization", "Bearer " + internalKey())
            .DELETE()
            .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .exceptionally(
            e -> {
              Log.debugf("viewer-session end not reported: %s", e.getMessage());
              return null;
            });
  }

  /**
   * Sets a publish token's priority on behalf of the caller (whose API key token-service checks, so
   * another account's token is not found); a refusal reaches the caller as token-service's problem.
   *
   * @throws ApiProblemException with token-service's status when it refuses
   */
  public void setPublishTokenPriority(String callerAuthorization, long tokenId, int priority) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(config.url() + "/api/v2/publish_token/" + tokenId))
            .timeout(config.timeout())
            .header("Authorization", callerAuthorization)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString("{\"priority\":" + priority + "}"))
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new ApiProblemException(
          503, "Service Unavailable", "token_service_unavailable", "token-service unreachable");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiProblemException(
          503, "Service Unavailable", "token_service_unavailable", "interrupted");
    }
    if (response.statusCode() == 404) {
      throw ApiProblemException.notFound("publish token", Long.toString(tokenId));
    }
    if (response.statusCode() >= 300) {
      throw new ApiProblemException(
          response.statusCode() >= 500 ? 502 : response.statusCode(),
          "Token update refused",
          "token_update_refused",
          "token-service answered " + response.statusCode() + ": " + oneLine(response.body()));
    }
  }

  private Answer post(String path, String body) throws IOException, InterruptedException {
    long timeout = config.timeout().toMillis();
    RequestOptions request =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(config.url() + path)
            .putHeader("Authorization", "Bearer " + internalKey())
            .putHeader("Content-Type", "application/json")
            .setTimeout(timeout);
    try {
      return hot.request(request)
          .compose(r -> r.send(body))
          .compose(r -> r.body().map(b -> new Answer(r.statusCode(), b.toString())))
          .toCompletionStage()
          .toCompletableFuture()
          // The request's own timeout fires first; this only guards against a lost callback.
          .get(timeout + 1_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IOException(
          cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
    } catch (TimeoutException e) {
      throw new IOException("token-service did not answer within " + config.timeout(), e);
    }
  }

  /**
   * The internal key; the file is read again when it changes, since token-service may write (or
   * rotate) it after this service started.
   */
  private String internalKey() {
    if (config.internalKey().isPresent()) {
      return config.internalKey().get().strip();
    }
    if (config.internalKeyFile().isPresent()) {
      try {
        java.nio.file.Path file = config.internalKeyFile().get();
        long modified = Files.getLastModifiedTime(file).toMillis();
        CachedKey cached = cachedKey;
        if (cached != null && cached.modified == modified) {
          return cached.key;
        }
        String key = Files.readString(file).strip();
        cachedKey = new CachedKey(modified, key);
        return key;
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot read the internal key file " + config.internalKeyFile().get(), e);
      }
    }
    throw new UncheckedIOException(
        new IOException(
            "no internal key: set BEAMLINE_STREAM_TOKEN_SERVICE_INTERNAL_KEY_FILE or _KEY"));
  }

  private static String oneLine(String body) {
    String flat = body == null ? "" : body.replaceAll("\\s+", " ").strip();
    return flat.length() > 300 ? flat.substring(0, 300) : flat;
  }
}
