package io.beamline.token.authorize;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.beamline.platform.problem.Problem;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.quarkus.logging.Log;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers {@code POST /internal/authorize/batch}: many authorisation requests in one HTTP request,
 * for a caller whose decisions come faster than one request each is worth (stream-service during a
 * viewer storm).
 *
 * <p>The body is a JSON array of {@link AuthorizeRequest}s (at most {@value #MAX_ITEMS}); the
 * answer is an array of the same length holding, at each index, the {@link Decision} for that
 * request or {@code null} when it is not decided here: a request that breaks a field constraint, or
 * one whose decision needs the database (viewer caps, first-use address binding, single-use
 * tokens). The caller asks {@code POST /internal/authorize} for those, which decides them, or names
 * the problem, exactly as for any other request. Only a caller whose {@code platform:internal} key
 * was verified recently and is not revoked ({@link InternalCallers#trustedNow}) is served; any
 * other gets 401 and uses the single endpoint, which verifies keys.
 *
 * <p>Why: at thousands of viewer joins a second, the HTTP request around each decision costs both
 * services several times what the decision itself costs.
 */
@ApplicationScoped
public class AuthorizeBatchRoute {

  static final String PATH = "/internal/authorize/batch";
  static final int MAX_ITEMS = 256;
  private static final String JSON_UTF8 = "application/json;charset=UTF-8";

  private final DecisionEngine engine;
  private final InternalCallers callers;
  private final ObjectReader requests;
  private final ObjectWriter decisions;
  private final ObjectWriter problems;
  private final long maxBody;

  public AuthorizeBatchRoute(
      DecisionEngine engine,
      InternalCallers callers,
      ObjectMapper json,
      @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
          MemorySize maxBody) {
    this.engine = engine;
    this.callers = callers;
    this.requests = json.readerFor(AuthorizeRequest[].class);
    this.decisions = json.writerFor(new TypeReference<List<Decision>>() {});
    this.problems = json.writerFor(Problem.class);
    this.maxBody = maxBody.asLongValue();
  }

  void register(@Observes Router router) {
    // Before Quarkus' HTTP security handlers, as AuthorizeRoute: InternalCallers protects it.
    router
        .post(PATH)
        .order(AuthorizeRoute.ORDER)
        .handler(BodyHandler.create(false).setBodyLimit(maxBody));
    router.post(PATH).order(AuthorizeRoute.ORDER + 1).handler(this::handle);
  }

  void handle(RoutingContext context) {
    HttpServerRequest http = context.request();
    if (!callers.trustedNow(http.getHeader(HttpHeaders.AUTHORIZATION))) {
      problem(
          context,
          401,
          "internal_key_not_verified",
          "a platform:internal key this instance has verified is required; POST "
              + AuthorizeRoute.PATH
              + " verifies keys",
          null);
      return;
    }
    if (!AuthorizeRoute.isJson(http.getHeader(HttpHeaders.CONTENT_TYPE))) {
      problem(context, 415, "unsupported_media_type", "the body must be application/json", null);
      return;
    }
    Buffer body = context.body().available() ? context.body().buffer() : null;
    AuthorizeRequest[] items;
    try {
      if (body == null || body.length() == 0) {
        throw new IOException("no body");
      }
      ByteBuf bytes = body.getByteBuf();
      items =
          bytes.hasArray()
              ? requests.readValue(
                  bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes())
              : requests.readValue(body.getBytes());
    } catch (IOException | RuntimeException e) {
      problem(
          context,
          400,
          "invalid_request",
          "the body must be a JSON array of authorisation requests",
          e.getMessage());
      return;
    }
    if (items == null || items.length > MAX_ITEMS) {
      problem(
          context,
          400,
          "invalid_request",
          "the body must be a JSON array of at most " + MAX_ITEMS + " authorisation requests",
          null);
      return;
    }
    List<Decision> answers = new ArrayList<>(items.length);
    for (AuthorizeRequest item : items) {
      answers.add(decideHere(item));
    }
    byte[] answer;
    try {
      answer = decisions.writeValueAsBytes(answers);
    } catch (IOException e) {
      problem(context, 500, "internal_error", "decisions could not be written", null);
      return;
    }
    context
        .response()
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON_UTF8)
        .end(Buffer.buffer(Unpooled.wrappedBuffer(answer)));
  }

  /** The decision, when it needs neither the database nor a problem report; otherwise null. */
  private Decision decideHere(AuthorizeRequest item) {
    if (item == null || !item.satisfiesConstraints()) {
      return null;
    }
    try {
      return engine.decide(item, false);
    } catch (DecisionEngine.NeedsBlocking e) {
      return null;
    } catch (RuntimeException e) {
      // The single endpoint decides it again and reports what went wrong there.
      Log.debugf("batched authorisation left to the single endpoint: %s", e.getMessage());
      return null;
    }
  }

  private void problem(
      RoutingContext context, int status, String reason, String detail, String cause) {
    List<Problem.FieldError> errors =
        cause == null ? List.of() : List.of(new Problem.FieldError("body", cause));
    Problem problem =
        new Problem(
            URI.create("https://beamline.io/problems/" + reason.replace('_', '-')),
            // The HTTP reason phrase, as every other problem of the platform has.
            HttpResponseStatus.valueOf(status).reasonPhrase(),
            status,
            detail,
            URI.create(PATH),
            reason,
            errors);
    String text;
    try {
      text = problems.writeValueAsString(problem);
    } catch (IOException e) {
      text = "{\"status\":" + status + "}";
    }
    context
        .response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
        .end(text);
  }
}
