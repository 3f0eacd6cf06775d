package io.beamline.stream.media.nginx;

import io.beamline.stream.config.StreamConfig;
import io.beamline.stream.media.MediaAnswer;
import io.beamline.stream.media.MediaGateway;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.quarkus.logging.Log;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Answers nginx's {@code on_play} callback ({@code POST /media/nginx/play}) on the Vert.x router,
 * without a worker thread waiting on token-service or on the join's commit.
 *
 * <p>Why: a viewer storm is thousands of these a second, and JAX-RS dispatch plus a blocked worker
 * per join cost more than the join itself. The route reads the same form and calls {@link
 * MediaGateway#playAsync}, which takes the blocking path itself when it must; {@link
 * NginxCallbackResource#play} stays the endpoint's definition and serves HTTP/2 and non-form
 * requests, and a missing or wrong callback key is refused by {@link CallbackKeyFilter} there. It
 * runs before Quarkus' HTTP security handlers (order {@value #ORDER}), as the callback key, not an
 * HTTP permission policy, protects {@code /media/}.
 */
@ApplicationScoped
public class PlayRoute {

  static final String PATH = "/media/nginx/play";
  static final int ORDER = -300;

  /** nginx's callback forms are a few hundred bytes; anything far larger is not one. */
  static final int MAX_FORM_BYTES = 64 * 1024;

  private final MediaGateway gateway;
  private final CallbackKey key;
  private final StreamConfig.MediaNode node;
  private final Executor blocking;

  public PlayRoute(MediaGateway gateway, CallbackKey key, StreamConfig config, Vertx vertx) {
    this.gateway = gateway;
    this.key = key;
    this.node = config.mediaNode();
    // Quarkus runs Vert.x's blocking work on its worker pool, where JAX-RS resources run too.
    this.blocking =
        command ->
            vertx.executeBlocking(
                () -> {
                  command.run();
                  return null;
                },
                false);
  }

  void register(@Observes Router router) {
    router.post(PATH).order(ORDER).handler(this::handle);
  }

  /**
   * Answers a form callback over HTTP/1.x that carries the callback key and says how long it is;
   * hands anything else on unread (the resource answers, or the callback-key filter refuses).
   */
  void handle(RoutingContext context) {
    HttpServerRequest http = context.request();
    String type = http.getHeader(HttpHeaders.CONTENT_TYPE);
    long length = contentLength(http.getHeader(HttpHeaders.CONTENT_LENGTH));
    if (http.version() == HttpVersion.HTTP_2
        || type == null
        || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")
        || length < 0
        || length > MAX_FORM_BYTES
        || !key.matches(http.getParam("key"))) {
      context.next();
      return;
    }
    // The form is read here and decoded as a query string: Vert.x's own form decoding (Netty's
    // HttpPostRequestDecoder) throws and catches an exception at the end of every body.
    http.body()
        .onFailure(failure -> answer(context.response(), 400, "unreadable form", null))
        .onSuccess(body -> play(context, body.toString(StandardCharsets.UTF_8)));
    http.resume(); // the router paused the request until a handler wants its body
  }

  private void play(RoutingContext context, String body) {
    Map<String, List<String>> form =
        new QueryStringDecoder(body, StandardCharsets.UTF_8, false).parameters();
    gateway
        .playAsync(
            NginxForms.playAttempt(
                node.id(),
                name -> {
                  List<String> values = form.get(name);
                  return values == null || values.isEmpty() ? null : values.get(0);
                }),
            blocking)
        .whenComplete(
            (answer, failure) -> {
              if (failure != null) {
                Log.errorf(failure, "on_play failed");
                answer(context.response(), 500, "play failed", null);
              } else {
                toNginx(context.response(), answer);
              }
            });
  }

  private static long contentLength(String header) {
    try {
      return header == null ? -1 : Long.parseLong(header.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** nginx reads 2xx as allow, 3xx with a bare name in {@code Location} as "use this name". */
  private static void toNginx(HttpServerResponse response, MediaAnswer answer) {
    if (!answer.allowed()) {
      answer(response, 403, answer.reason(), null);
    } else if (answer.mediaName() == null) {
      answer(response, 200, null, null);
    } else {
      answer(response, 302, null, answer.mediaName());
    }
  }

  private static void answer(
      HttpServerResponse response, int status, String text, String location) {
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(status);
    if (location != null) {
      response.putHeader(HttpHeaders.LOCATION, location);
    }
    if (text != null) {
      response.putHeader(HttpHeaders.CONTENT_TYPE, "text/plain;charset=UTF-8").end(text);
    } else {
      response.end();
    }
  }
}
