package io.beamline.stream.service;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.platform.problem.ApiProblemException;
import io.beamline.stream.config.StreamConfig;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.impl.VertxInternal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Calls token-service's internal endpoints (the authorisation decision, viewer-session admission)
 * with the platform's internal key, and its token API on a caller's behalf.
 *
 * <p>It uses Vert.x's HTTP client on the service's own event loops: the join path asks for a
 * decision without holding a thread while it waits (see {@code PlayRoute}); blocking callers wait
 * on the same calls.
 */
@ApplicationScoped
public class TokenServiceClient {

  /** Connections kept to token-service; calls beyond them wait in the client's queue. */
  static final int CONNECTIONS = 64;

  private final StreamConfig.TokenService config;
  private final ObjectMapper json;
  private final HttpClient http;
  private final Timer authorizeTimer;
  private final Timer admitTimer;
  private final Context eventLoop;
  private final AuthorizeBatcher batcher;
  private final JavaType decisionList;

  /** Set when token-service has no batch endpoint (an older one answered 404): singles only. */
  private volatile boolean batchUnsupported;

  private volatile CachedKey cachedKey;

  /** The key file's contents, its modification time, and when that time was last looked at. */
  private record CachedKey(long modified, String key, long checkedAtNanos) {}

  /** How often the key file's modification time is looked at (not on every call: joins). */
  private static final long KEY_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** A status and a body, or why there is none. */
  private record Answer(int status, String body) {}

  public TokenServiceClient(
      StreamConfig config, ObjectMapper json, MeterRegistry metrics, Vertx vertx) {
    this.config = config.tokenService();
    this.json = json;
    // Client-side time of each call (queueing in the client included), to tell a slow
    // token-service from a slow path to it.
    this.authorizeTimer = callTimer(metrics, "authorize");
    this.admitTimer = callTimer(metrics, "viewer-session");
    this.eventLoop = ((VertxInternal) vertx).createEventLoopContext();
    this.decisionList = json.getTypeFactory().constructCollectionType(List.class, Decision.class);
    DistributionSummary batchSizes =
        DistributionSummary.builder("beamline.token.service.authorize.batch.size")
            .description("Authorisation requests sent to token-service in one call")
            .publishPercentiles(0.5, 0.99)
            .register(metrics);
    this.batcher =
        new AuthorizeBatcher(
            new AuthorizeBatcher.Transport() {
              @Override
              public CompletionStage<Decision> one(String body) {
                return authorizeOne(body);
              }

              @Override
              public CompletionStage<List<Decision>> many(List<String> bodies) {
                return authorizeMany(bodies);
              }
            },
            batchSizes::record);
    this.http =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setKeepAlive(true)
                .setConnectTimeout((int) this.config.timeout().toMillis())
                .setIdleTimeout(60)
                .setIdleTimeoutUnit(TimeUnit.SECONDS),
            new PoolOptions().setHttp1MaxSize(CONNECTIONS));
  }

  void stop(@Observes ShutdownEvent ignored) {
    http.close();
  }

  /**
   * Asks token-service whether {@code request} may go ahead. When token-service cannot be reached
   * the answer is a refusal ({@code authorization_unavailable}): media is never let through blind.
   * Completes on an event loop; never completes exceptionally.
   */
  public CompletionStage<Decision> authorizeAsync(AuthorizeRequest request) {
    String body;
    try {
      body = json.writeValueAsString(request);
    } catch (IOException e) {
      return CompletableFuture.completedFuture(
          Decision.deny("invalid_request", "unwritable request: " + e.getMessage()));
    }
    if (internalKeyOrNull() == null) {
      return CompletableFuture.completedFuture(
          Decision.deny("authorization_unavailable", "no internal key for token-service"));
    }
    long start = System.nanoTime();
    // Several decisions asked for at once share calls (see AuthorizeBatcher).
    return batcher
        .authorize(body)
        .whenComplete(
            (decision, failure) ->
                authorizeTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
  }

  /** One decision through {@code /internal/authorize}; never completes exceptionally. */
  private CompletionStage<Decision> authorizeOne(String body) {
    String key = internalKeyOrNull();
    if (key == null) {
      return CompletableFuture.completedFuture(
          Decision.deny("authorization_unavailable", "no internal key for token-service"));
    }
    return call(HttpMethod.POST, "/internal/authorize", "Bearer " + key, body)
        .toCompletionStage()
        .handle(
            (answer, failure) -> {
              if (failure != null) {
                Log.errorf(
                    "token-service unreachable for an authorisation: %s", failure.getMessage());
              } else if (answer.status() == 200) {
                try {
                  return json.readValue(answer.body(), Decision.class);
                } catch (IOException e) {
                  Log.errorf("token-service's decision was unreadable: %s", e.getMessage());
                }
              } else if (answer.status() == 400) {
                return Decision.deny("invalid_request", oneLine(answer.body()));
              } else {
                Log.errorf(
                    "token-service answered %d to an authorisation: %s",
                    answer.status(), oneLine(answer.body()));
              }
              return Decision.deny("authorization_unavailable", "token-service did not decide");
            });
  }

  /**
   * Several decisions through {@code /internal/authorize/batch}: a decision per request (null where
   * token-service left it to the single endpoint), or null when the batch was not answered (the
   * caller then asks for each alone). Never completes exceptionally.
   */
  private CompletionStage<List<Decision>> authorizeMany(List<String> bodies) {
    String key = internalKeyOrNull();
    if (key == null || batchUnsupported) {
      return CompletableFuture.completedFuture(null);
    }
    String body = "[" + String.join(",", bodies) + "]";
    return call(HttpMethod.POST, "/internal/authorize/batch", "Bearer " + key, body)
        .toCompletionStage()
        .handle(
            (answer, failure) -> {
              if (failure != null) {
                Log.debugf("authorisation batch not answered: %s", failure.getMessage());
              } else if (answer.status() == 200) {
                try {
                  return json.readValue(answer.body(), decisionList);
                } catch (IOException e) {
                  Log.errorf("token-service's decisions were unreadable: %s", e.getMessage());
                }
              } else if (answer.status() == 404) {
                Log.info("token-service has no /internal/authorize/batch: one call per decision");
                batchUnsupported = true;
              } else {
                // 401 until token-service has verified this key through the single endpoint.
                Log.debugf(
                    "authorisation batch answered %d: %s", answer.status(), oneLine(answer.body()));
              }
              return null;
            });
  }

  /** {@link #authorizeAsync}, waited for (never on an event loop). */
  public Decision authorize(AuthorizeRequest request) {
    return authorizeAsync(request).toCompletableFuture().join();
  }

  /**
   * Reports that a viewer's media started; false when token-service refuses it (viewer cap or
   * single-use token already used), in which case the viewer must be stopped. Only needed for a
   * viewer whose token can refuse: token-service learns of every other session from its {@code
   * viewer-joined} event.
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
    long start = System.nanoTime();
    try {
      Answer answer =
          await(
              call(
                  HttpMethod.POST,
                  "/internal/viewer-sessions",
                  "Bearer " + internalKey(),
                  json.writeValueAsString(body)));
      if (answer.status() == 409) {
        Log.infof("viewer %s refused at media start: %s", sessionId, oneLine(answer.body()));
        return false;
      }
      if (answer.status() >= 300) {
        Log.warnf("viewer-session start answered %d", answer.status());
      }
    } catch (IOException | RuntimeException e) {
      // Caps are a soft limit when token-service is down: the viewer is already authorised.
      Log.warnf("viewer-session start not reported: %s", e.getMessage());
    } finally {
      admitTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
    return true;
  }

  /**
   * Sets a publish token's priority on behalf of the caller (whose API key token-service checks, so
   * another account's token is not found); a refusal reaches the caller as token-service's problem.
   *
   * @throws ApiProblemException with token-service's status when it refuses
   */
  public void setPublishTokenPriority(String callerAuthorization, long tokenId, int priority) {
    Answer answer;
    try {
      answer =
          await(
              call(
                  HttpMethod.PUT,
                  "/api/v2/publish_token/" + tokenId,
                  callerAuthorization,
                  "{\"priority\":" + priority + "}"));
    } catch (RuntimeException e) {
      throw new ApiProblemException(
          503, "Service Unavailable", "token_service_unavailable", "token-service unreachable");
    }
    if (answer.status() == 404) {
      throw ApiProblemException.notFound("publish token", Long.toString(tokenId));
    }
    if (answer.status() >= 300) {
      throw new ApiProblemException(
          answer.status() >= 500 ? 502 : answer.status(),
          "Token update refused",
          "token_update_refused",
          "token-service answered " + answer.status() + ": " + oneLine(answer.body()));
    }
  }

  private static Timer callTimer(MeterRegistry metrics, String call) {
    return Timer.builder("beamline.token.service.call")
        .description("Time of a call to token-service as stream-service sees it")
        .tag("call", call)
        .publishPercentiles(0.5, 0.9, 0.99)
        .register(metrics);
  }

  /**
   * One JSON call; fails when token-service cannot be reached or does not answer in time. Made on
   * an event loop: from any other thread the response's body could arrive before its handler is set
   * (seen once in 40,000 calls as an empty 200), so such callers hand the call over.
   */
  private Future<Answer> call(
      HttpMethod method, String path, String authorization, String jsonBody) {
    if (Context.isOnEventLoopThread()) {
      return send(method, path, authorization, jsonBody);
    }
    Promise<Answer> answer = Promise.promise();
    eventLoop.runOnContext(
        ignored -> send(method, path, authorization, jsonBody).onComplete(answer));
    return answer.future();
  }

  private Future<Answer> send(
      HttpMethod method, String path, String authorization, String jsonBody) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(method)
            .setAbsoluteURI(config.url() + path)
            .setIdleTimeout(config.timeout().toMillis())
            .putHeader("Authorization", authorization)
            .putHeader("Content-Type", "application/json")
            .putHeader("Accept", "application/json");
    return http.request(options)
        .compose(request -> request.send(Buffer.buffer(jsonBody, "UTF-8")))
        .compose(
            response ->
                response
                    .body()
                    .map(
                        body ->
                            new Answer(
                                response.statusCode(), body.toString(StandardCharsets.UTF_8))));
  }

  /** Waits for a call from a worker thread, at most the configured timeout and a second. */
  private Answer await(Future<Answer> call) {
    try {
      return call.toCompletionStage()
          .toCompletableFuture()
          .get(config.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while calling token-service", e);
    } catch (ExecutionException | CompletionException e) {
      throw new IllegalStateException(String.valueOf(e.getCause().getMessage()), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("token-service did not answer in time", e);
    }
  }

  private String internalKeyOrNull() {
    try {
      return internalKey();
    } catch (UncheckedIOException e) {
      Log.errorf("%s", e.getMessage());
      return null;
    }
  }

  /**
   * The internal key; the file is read again when it changes, since token-service may write (or
   * rotate) it after this service started. Its modification time is looked at once a second at
   * most: this runs on an event loop for every viewer join.
   */
  private String internalKey() {
    if (config.internalKey().isPresent()) {
      return config.internalKey().get().strip();
    }
    if (config.internalKeyFile().isPresent()) {
      try {
        long now = System.nanoTime();
        CachedKey cached = cachedKey;
        if (cached != null && now - cached.checkedAtNanos < KEY_RECHECK_NANOS) {
          return cached.key;
        }
        Path file = config.internalKeyFile().get();
        long modified = Files.getLastModifiedTime(file).toMillis();
        String key =
            cached != null && cached.modified == modified
                ? cached.key
                : Files.readString(file).strip();
        cachedKey = new CachedKey(modified, key, now);
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
