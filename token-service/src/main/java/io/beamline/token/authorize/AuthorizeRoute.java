package io.beamline.token.authorize;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers the common {@code POST /internal/authorize} straight on the Vert.x router, and hands
 * every other request on to {@link AuthorizeResource}, which stays the endpoint's definition.
 *
 * <p>Why: at thousands of decisions per second the JAX-RS machinery (method validation, content
 * negotiation, the security and observability handlers, the Uni plumbing) cost more CPU than the
 * decision itself. This route serves only the case that needs none of it: a caller whose {@code
 * platform:internal} key {@link InternalCallers#trustedNow was verified recently and is not
 * revoked} (checked on every request, as the resource does), a JSON body that satisfies every
 * constraint of {@link AuthorizeRequest}, and a decision that needs no database. Anything else (no
 * or unknown key, other content types or {@code Accept}, invalid JSON or fields, viewer caps,
 * first-use IP binding, single-use tokens, an unexpected error) goes to the resource with the body
 * already read, so errors, 401/403 and problem+json come from exactly one place. The answer is the
 * same {@link Decision} serialised by the same {@link ObjectMapper}.
 *
 * <p>The route runs before Quarkus' HTTP authentication and authorisation filters (order {@value
 * #ORDER}; they are at -200 and -100): this endpoint is protected by {@link InternalCallers}, not
 * by HTTP permission policies, so none may be configured for its path.
 */
@ApplicationScoped
public class AuthorizeRoute {

  static final String PATH = "/internal/authorize";
  static final int ORDER = -300;
  private static final String JSON = "application/json";
  private static final String JSON_UTF8 = "application/json;charset=UTF-8";

  private final DecisionEngine engine;
  private final InternalCallers callers;
  private final JsonFactory factory;
  private final ObjectReader requests;
  private final ObjectWriter decisions;
  private final long maxBody;

  public AuthorizeRoute(
      DecisionEngine engine,
      InternalCallers callers,
      ObjectMapper json,
      @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
          MemorySize maxBody) {
    this.engine = engine;
    this.callers = callers;
    this.factory = json.getFactory();
    this.requests = json.readerFor(AuthorizeRequest.class);
    this.decisions = json.writerFor(Decision.class);
    this.maxBody = maxBody.asLongValue();
  }

  void register(@Observes Router router) {
    // The HTTP limits handler runs after this route: apply the same body limit here.
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(maxBody);
    router
        .post(PATH)
        .order(ORDER)
        .handler(
            context -> {
              // Only HTTP/1.x takes the fast path: an HTTP/2 request whose body was read here
              // cannot be handed on to the resource (Vert.x refuses to pause an ended HTTP/2
              // request, which surfaced as a 500 for every fallback).
              if (context.request().version() == HttpVersion.HTTP_2) {
                context.next();
              } else {
                bodies.handle(context);
              }
            });
    router.post(PATH).order(ORDER + 1).handler(this::handle);
  }

  void handle(RoutingContext context) {
    HttpServerRequest http = context.request();
    Buffer body = context.body().available() ? context.body().buffer() : null;
    if (body == null
        || body.length() == 0
        || !isJson(http.getHeader(HttpHeaders.CONTENT_TYPE))
        || !acceptsJson(http.getHeader(HttpHeaders.ACCEPT))
        || !callers.trustedNow(http.getHeader(HttpHeaders.AUTHORIZATION))) {
      context.next();
      return;
    }
    byte[] answer;
    try {
      // Read the body where it lies rather than copying it (a copy per decision adds up).
      ByteBuf bytes = body.getByteBuf();
      byte[] array = bytes.hasArray() ? bytes.array() : body.getBytes();
      int offset = bytes.hasArray() ? bytes.arrayOffset() + bytes.readerIndex() : 0;
      int length = bytes.readableBytes();
      AuthorizeRequest request = plain(array, offset, length);
      if (request == null) {
        request = requests.readValue(array, offset, length);
      }
      if (!request.satisfiesConstraints()) {
        context.next();
        return;
      }
      answer = decisions.writeValueAsBytes(engine.decide(request, false));
    } catch (IOException | RuntimeException e) {
      // Unreadable JSON, a decision that needs the database (DecisionEngine.NeedsBlocking) or a
      // failure: the resource answers, with the same problem+json or worker-thread path as ever.
      context.next();
      return;
    }
    context
        .response()
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON_UTF8)
        .end(Buffer.buffer(Unpooled.wrappedBuffer(answer))); // wrapped, not copied
  }

  /**
   * Reads the usual body, a flat object of known fields with string (or null) values and an integer
   * {@code publishTokenId}, with a streaming parser of the same factory; null for anything else (an
   * unknown or repeated field, another value type), which the data binder then reads as JAX-RS
   * would. On what it accepts the two agree: the binder maps these tokens to the same values.
   */
  AuthorizeRequest plain(byte[] body, int offset, int length) throws IOException {
    try (JsonParser parser = factory.createParser(body, offset, length)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      String[] text = new String[6];
      Long publishTokenId = null;
      int seen = 0;
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        int field = FIELDS.indexOf(parser.currentName());
        if (field < 0 || (seen & (1 << field)) != 0) {
          return null;
        }
        seen |= 1 << field;
        JsonToken value = parser.nextToken();
        if (value == JsonToken.VALUE_NULL) {
          continue;
        }
        if (field == 6) {
          if (value != JsonToken.VALUE_NUMBER_INT
              || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            return null;
          }
          publishTokenId = parser.getLongValue();
        } else if (value == JsonToken.VALUE_STRING) {
          text[field] = parser.getText();
        } else {
          return null;
        }
      }
      if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
        return null;
      }
      return new AuthorizeRequest(
          text[0], text[1], text[2], text[3], text[4], text[5], publishTokenId);
    } catch (JsonProcessingException e) {
      return null; // malformed: the binder reads it again and the resource names the problem
    }
  }

  /** The request's fields, in the order of its record components. */
  private static final List<String> FIELDS =
      List.of("action", "streamName", "accountId", "token", "origin", "clientIp", "publishTokenId");

  /** {@code application/json}, with or without parameters (as {@code @Consumes} accepts it). */
  static boolean isJson(String contentType) {
    if (contentType == null || !contentType.regionMatches(true, 0, JSON, 0, JSON.length())) {
      return false;
    }
    if (contentType.length() == JSON.length()) {
      return true;
    }
    char next = contentType.charAt(JSON.length());
    return next == ';' || next == ' ';
  }

  /** No {@code Accept}, or one that plainly admits JSON; anything subtler goes to JAX-RS. */
  static boolean acceptsJson(String accept) {
    if (accept == null) {
      return true;
    }
    return !accept.contains("q=")
        && (accept.contains("*/*") || accept.contains("application/*") || accept.contains(JSON));
  }
}
