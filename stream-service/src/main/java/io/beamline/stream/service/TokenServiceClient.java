package io.beamline.stream.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.platform.problem.ApiProblemException;
import io.beamline.stream.config.StreamConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Calls token-service's internal endpoints: the authorisation decision and viewer-session
 * admission, with the platform's internal key.
 */
@ApplicationScoped
public class TokenServiceClient {

  private final StreamConfig.TokenService config;
  private final ObjectMapper json;
  private final HttpClient http;
  private final Timer authorizeTimer;
  private final Timer admitTimer;
  private final Semaphore admissionsInFlight = new Semaphore(ADMISSIONS_IN_FLIGHT);
  private volatile CachedKey cachedKey;

  /** Unchecked admissions under way at once (each holds a connection to token-service). */
  static final int ADMISSIONS_IN_FLIGHT = 64;

  private record CachedKey(long modified, String key) {}

  public TokenServiceClient(StreamConfig config, ObjectMapper json, MeterRegistry metrics) {
    this.config = config.tokenService();
    this.json = json;
    // Client-side time of each call (queueing in the client included), to tell a slow
    // token-service from a slow path to it.
    this.authorizeTimer = callTimer(metrics, "authorize");
    this.admitTimer = callTimer(metrics, "viewer-session");
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
      HttpResponse<String> response =
          post("/internal/authorize", json.writeValueAsString(request), authorizeTimer);
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
      HttpResponse<String> response =
          post("/internal/viewer-sessions", json.writeValueAsString(body), admitTimer);
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

  /**
   * Reports a viewer's media start without waiting for the answer: for a viewer whose token has no
   * viewer cap and no single-use credential, which token-service records (so that a cap set later
   * counts it) but cannot refuse. At most {@code ADMISSIONS_IN_FLIGHT} such reports are under way;
   * beyond that the caller waits for one to finish.
   */
  public void admitViewerUnchecked(long tokenId, String sessionId, String account) {
    String body;
    try {
      body =
          json.writeValueAsString(
              Map.of("tokenId", tokenId, "viewerSessionId", sessionId, "accountId", account));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    HttpRequest request;
    try {
      request = postRequest("/internal/viewer-sessions", body);
    } catch (UncheckedIOException e) {
      Log.warnf("viewer-session start not reported: %s", e.getMessage());
      return;
    }
    admissionsInFlight.acquireUninterruptibly();
    long start = System.nanoTime();
    http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .whenComplete(
            (response, failure) -> {
              admissionsInFlight.release();
              admitTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
              if (failure != null) {
                Log.warnf("viewer-session start not reported: %s", failure.getMessage());
              } else if (response.statusCode() >= 300) {
                Log.warnf(
                    "viewer-session start of %s answered %d: %s",
                    sessionId, response.statusCode(), oneLine(response.body()));
              }
            });
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

  private static Timer callTimer(MeterRegistry metrics, String call) {
    return Timer.builder("beamline.token.service.call")
        .description("Time of a call to token-service as stream-service sees it")
        .tag("call", call)
        .publishPercentiles(0.5, 0.9, 0.99)
        .register(metrics);
  }

  private HttpRequest postRequest(String path, String body) {
    return HttpRequest.newBuilder(URI.create(config.url() + path))
        .timeout(config.timeout())
        .header("Authorization", "Bearer " + internalKey())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private HttpResponse<String> post(String path, String body, Timer timer)
      throws IOException, InterruptedException {
    HttpRequest request = postRequest(path, body);
    long start = System.nanoTime();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } finally {
      timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
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
