package io.beamline.token.authorize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hot route's own checks: the hand-written request constraints agree with Bean Validation, and
 * only plain JSON requests are answered without JAX-RS.
 */
class AuthorizeRouteTest {

  private static ValidatorFactory factory;
  private static Validator validator;

  @BeforeAll
  static void validator() {
    factory =
        Validation.byDefaultProvider()
            .configure()
            .messageInterpolator(new ParameterMessageInterpolator())
            .buildValidatorFactory();
    validator = factory.getValidator();
  }

  @AfterAll
  static void close() {
    factory.close();
  }

  @Test
  void shouldAgreeWithBeanValidationOnEveryField() {
    List<AuthorizeRequest> cases = new ArrayList<>();
    String[] actions = {"publish", "subscribe", "fly", "Publish", "publish ", "", null};
    String[] streams = {"live", " ", "", null, "s".repeat(128), "s".repeat(129), "\tlive"};
    String[] accounts = {null, "acc_1", "", "a".repeat(64), "a".repeat(65)};
    String[] tokens = {null, "", "t".repeat(8192), "t".repeat(8193)};
    String[] origins = {null, "https://x.example.com", "o".repeat(2048), "o".repeat(2049)};
    String[] ips = {
      "192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1", "999.1.1.1", "10.0.0.0/8", " ", "", null, "x"
    };
    for (String action : actions) {
      for (String stream : streams) {
        cases.add(new AuthorizeRequest(action, stream, "acc", "tok", null, "192.0.2.1", null));
      }
    }
    for (String account : accounts) {
      for (String token : tokens) {
        for (String origin : origins) {
          cases.add(new AuthorizeRequest("subscribe", "live", account, token, origin, "::1", 7L));
        }
      }
    }
    for (String ip : ips) {
      cases.add(new AuthorizeRequest("publish", "live", null, "tok", null, ip, null));
    }
    int valid = 0;
    for (AuthorizeRequest request : cases) {
      boolean expected = validator.validate(request).isEmpty();
      assertEquals(expected, request.satisfiesConstraints(), request::toString);
      valid += expected ? 1 : 0;
    }
    assertTrue(valid > 10 && valid < cases.size() - 10, "cases cover both outcomes: " + valid);
  }

  @Test
  void shouldReadPlainBodiesExactlyAsTheDataBinderAndLeaveTheRestToIt() throws Exception {
    ObjectMapper json = new ObjectMapper();
    AuthorizeRoute route = new AuthorizeRoute(null, null, json, new MemorySize(BigInteger.TEN));
    String[] plain = {
      "{\"action\":\"subscribe\",\"streamName\":\"live\",\"accountId\":\"acc_1\","
          + "\"token\":\"a.b.c\",\"origin\":\"https://x.example.com\",\"clientIp\":\"::1\","
          + "\"publishTokenId\":42}",
      "{\"action\":\"publish\",\"streamName\":\"\\u00e9t\\u00e9\",\"token\":null,\"clientIp\":\"x\"}",
      "{\"publishTokenId\":null}",
      "{}",
      " { \"clientIp\" : \"192.0.2.1\" , \"publishTokenId\" : 9223372036854775807 } ",
    };
    for (String body : plain) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      // Read where it lies inside a larger buffer, as the route reads a request's body.
      byte[] framed = ("[[" + body + "]]").getBytes(StandardCharsets.UTF_8);
      AuthorizeRequest read = route.plain(framed, 2, bytes.length);
      assertNotNull(read, body);
      assertEquals(json.readerFor(AuthorizeRequest.class).readValue(bytes), read, body);
    }
    String[] others = {
      "{\"action\":\"publish\",\"action\":\"subscribe\"}",
      "{\"action\":\"publish\",\"extra\":1}",
      "{\"streamName\":7}",
      "{\"publishTokenId\":\"7\"}",
      "{\"publishTokenId\":7.5}",
      "{\"publishTokenId\":99999999999999999999}",
      "{\"token\":{\"nested\":true}}",
      "[]",
      "null",
      "{\"action\":\"publish\"} trailing",
    };
    for (String body : others) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      assertNull(route.plain(bytes, 0, bytes.length), body);
    }
  }

  @Test
  void shouldAnswerOnlyPlainJsonRequests() {
    assertTrue(AuthorizeRoute.isJson("application/json"));
    assertTrue(AuthorizeRoute.isJson("Application/JSON; charset=UTF-8"));
    assertFalse(AuthorizeRoute.isJson("application/jsonx"));
    assertFalse(AuthorizeRoute.isJson("text/plain"));
    assertFalse(AuthorizeRoute.isJson(null));
    assertTrue(AuthorizeRoute.acceptsJson(null));
    assertTrue(AuthorizeRoute.acceptsJson("*/*"));
    assertTrue(AuthorizeRoute.acceptsJson("application/json"));
    assertFalse(AuthorizeRoute.acceptsJson("text/plain"));
    assertFalse(AuthorizeRoute.acceptsJson("application/json;q=0, text/plain"));
  }
}
