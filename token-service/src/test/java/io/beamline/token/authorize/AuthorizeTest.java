package io.beamline.token.authorize;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.events.BeamlineEvent;
import io.beamline.events.CloudEventAttributes;
import io.beamline.events.EventJson;
import io.beamline.events.Topics;
import io.beamline.events.stream.Protocol;
import io.beamline.events.stream.ViewerJoinedEvent;
import io.beamline.events.stream.ViewerLeftEvent;
import io.beamline.events.token.TokenKind;
import io.beamline.events.token.TokenUpdatedEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /internal/authorize}, {@code /api/token/explain} and the viewer endpoints against the
 * real service: tokens made through the REST API, real PostgreSQL and Kafka, a tiny GeoIP file.
 */
@QuarkusTest
class AuthorizeTest {

  private static final ObjectMapper JSON = EventJson.newObjectMapper();
  private static String operatorKey;
  private static String internalKey;

  @Inject DataSource dataSource;
  @Inject AuthorizeConfig config;
  @Inject TokenStore store;
  @Inject TokenIndex index;

  @BeforeAll
  static void readKeys() {
    Path operator = Path.of("target/test-data/bootstrap-api-key.txt");
    Path internal = Path.of("target/test-data/internal-api-key.txt");
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(internal));
    operatorKey = read(operator);
    internalKey = read(internal);
  }

  @Test
  void shouldOnlyAnswerThePlatformsServices() {
    Map<String, Object> body = request("publish", "x", null, "192.0.2.1", null);
    given()
        .contentType("application/json")
        .body(body)
        .post("/internal/authorize")
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
    given()
        .auth()
        .oauth2(operatorKey)
        .contentType("application/json")
        .body(body)
        .post("/internal/authorize")
        .then()
        .statusCode(403)
        .body("reason", equalTo("missing_scope"));
    given()
        .auth()
        .oauth2(internalKey + "x")
        .contentType("application/json")
        .body(body)
        .post("/internal/authorize")
        .then()
        .statusCode(401);
    authorize(body).then().statusCode(200).body("allowed", equalTo(false));
    // An account key cannot grant itself the internal scope.
    given()
        .auth()
        .oauth2(operatorKey)
        .contentType("application/json")
        .body(Map.of("label", "sneaky", "scopes", List.of("platform:internal")))
        .post("/api/keys")
        .then()
        .statusCode(403);
  }

  @Test
  void shouldGiveSyndicationAPublishTokensRestreamTargetsWithKeys() {
    Map<String, Object> body = new HashMap<>();
    body.put("label", "restreamed");
    body.put("streams", List.of(Map.of("streamName", "show")));
    body.put(
        "restream",
        List.of(
            Map.of("url", "rtmp://partner.example.net/live", "key", "key-1", "label", "partner"),
            Map.of("url", "srt://ingest.example.net:9000", "key", "srt-key", "enabled", false)));
    JsonPath publish = create("/api/publish_token", body);
    long id = publish.getLong("id");
    String path = "/internal/publish_token/" + id + "/restream";
    given().get(path).then().statusCode(401);
    given().auth().oauth2(operatorKey).get(path).then().statusCode(403);
    given()
        .auth()
        .oauth2(internalKey)
        .get(path)
        .then()
        .statusCode(200)
        .body("data.tokenId", equalTo((int) id))
        .body("data.accountId", notNullValue())
        .body(
            "data.targets.url",
            contains("rtmp://partner.example.net/live", "srt://ingest.example.net:9000"))
        .body("data.targets.key", contains("key-1", "srt-key"))
        .body("data.targets.enabled", contains(true, false));
    long subscribe =
        create(
                "/api/subscribe_token",
                Map.of("label", "v", "streams", List.of(Map.of("streamName", "show"))))
            .getLong("id");
    given()
        .auth()
        .oauth2(internalKey)
        .get("/internal/publish_token/" + subscribe + "/restream")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  @Test
  void shouldNameInvalidFields() {
    authorize(request("fly", "live", null, "192.0.2.1", null))
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItem("action"));
    authorize(request("publish", "live", null, "999.1.1.1", null))
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("clientIp"));
    authorize(request("publish", "", null, null, null))
        .then()
        .statusCode(400)
        .body("errors.field", hasItems("streamName", "clientIp"));
  }

  @Test
  void shouldAnswerHttp2ClientsLikeHttp1Ones() throws Exception {
    // The JDK client upgrades to HTTP/2 (h2c) by default, as a Java caller would.
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    URI uri = URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/internal/authorize");
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> invalid =
          client.send(
              HttpRequest.newBuilder(uri)
                  .header("Authorization", "Bearer " + internalKey)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          JSON.writeValueAsString(request("publish", "", null, null, null))))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(400, invalid.statusCode(), invalid.body());
      assertTrue(invalid.body().contains("\"streamName\""), invalid.body());
      HttpResponse<String> refused =
          client.send(
              HttpRequest.newBuilder(uri)
                  .header("Authorization", "Bearer " + internalKey)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          JSON.writeValueAsString(
                              request("publish", "live", "f".repeat(64), "192.0.2.1", null))))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, refused.statusCode(), refused.body());
      assertEquals("token_not_found", JSON.readTree(refused.body()).path("reason").asText());
    }
  }

  @Test
  void shouldDecidePublishingByStreamOriginAndIpv4AndIpv6() {
    String stream = "studio-" + UUID.randomUUID();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("label", "studio");
    body.put("streams", List.of(Map.of("streamName", stream, "isRegex", false)));
    body.put("allowedOrigins", List.of("*.example.com"));
    body.put("allowedIpAddresses", List.of("198.51.100.0/24", "2001:db8:1::/48"));
    body.put("record", true);
    body.put("priority", 5);
    JsonPath token = create("/api/publish_token", body);
    String secret = token.getString("token");
    long id = token.getLong("id");

    Map<String, Object> ok = request("publish", stream, secret, "198.51.100.7", null);
    ok.put("origin", "https://studio.example.com");
    authorize(ok)
        .then()
        .statusCode(200)
        .body("allowed", equalTo(true))
        .body("settings.tokenId", equalTo((int) id))
        .body("settings.record", equalTo(true))
        .body("settings.multisource", equalTo(true))
        .body("settings.priority", equalTo(5))
        .body("settings.clientCountry", equalTo("DE"));
    ok.put("clientIp", "2001:db8:1::42");
    assertAllowed(ok);
    ok.put("clientIp", "203.0.113.7");
    assertDenied(ok, "ip_not_allowed");
    ok.put("clientIp", "2001:db8:2::42");
    assertDenied(ok, "ip_not_allowed");
    ok.put("clientIp", "198.51.100.7");
    ok.put("origin", "https://example.org");
    assertDenied(ok, "origin_not_allowed");
    ok.put("origin", "https://studio.example.com");
    ok.put("streamName", "other");
    assertDenied(ok, "stream_not_allowed");
    assertDenied(
        request("publish", stream, "f".repeat(64), "198.51.100.7", null), "token_not_found");
  }

  @Test
  void shouldAnswerTheSameOnTheHotRouteAsThroughJaxRs() {
    String stream = "same-" + UUID.randomUUID();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("label", "same");
    body.put("streams", List.of(Map.of("streamName", stream, "isRegex", false)));
    body.put("allowedCountries", List.of("DE"));
    JsonPath token = create("/api/subscribe_token", body);
    String sst =
        sst(
            token.getLong("id"),
            stream,
            Instant.now().plusSeconds(60),
            Algorithm.HMAC256(token.getString("token")));
    authorize(request("publish", "warm-up", null, "192.0.2.1", null)).then().statusCode(200);
    for (String ip : List.of("198.51.100.20", "203.0.113.20")) {
      Map<String, Object> viewer = request("subscribe", stream, sst, ip, null);
      // No Accept: the hot route answers (the key was verified by the warm-up call). A weighted
      // Accept is left to JAX-RS content negotiation: the answers must be identical.
      io.restassured.response.Response hot = authorize(viewer);
      io.restassured.response.Response jaxRs =
          given()
              .auth()
              .oauth2(internalKey)
              .contentType("application/json")
              .accept("application/json;q=0.9, */*;q=0.1")
              .body(viewer)
              .post("/internal/authorize");
      assertEquals(200, hot.statusCode());
      assertEquals(200, jaxRs.statusCode());
      assertEquals(jaxRs.contentType(), hot.contentType());
      assertEquals(jaxRs.asString(), hot.asString());
    }
    Map<String, Object> invalid = request("subscribe", "", sst, "999.1.1.1", null);
    authorize(invalid)
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItems("streamName", "clientIp"));
  }

  @Test
  void shouldDecideViewersByCountryWithSelfSignedTokens() {
    String stream = "geo-" + UUID.randomUUID();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("label", "partner");
    body.put("streams", List.of(Map.of("streamName", stream, "isRegex", false)));
    body.put("allowedCountries", List.of("DE"));
    body.put("tracking", Map.of("trackingId", "partner-x"));
    JsonPath token = create("/api/subscribe_token", body);
    String secret = token.getString("token");
    long id = token.getLong("id");

    String sst = sst(id, stream, Instant.now().plusSeconds(60), Algorithm.HMAC256(secret));
    Map<String, Object> viewer = request("subscribe", stream, sst, "198.51.100.20", null);
    authorize(viewer)
        .then()
        .statusCode(200)
        .body("allowed", equalTo(true))
        .body("settings.tokenId", equalTo((int) id))
        .body("settings.selfSigned", equalTo(true))
        .body("settings.trackingId", equalTo("partner-x"))
        .body("settings.customViewerData", equalTo("viewer=7"))
        .body("settings.clientCountry", equalTo("DE"));
    viewer.put("clientIp", "2001:db8:1::20");
    assertAllowed(viewer);
    viewer.put("clientIp", "203.0.113.20");
    assertDenied(viewer, "country_denied");
    viewer.put("clientIp", "2001:db8:2::20");
    assertDenied(viewer, "country_denied");

    viewer.put("clientIp", "198.51.100.20");
    viewer.put("token", sst(id, stream, Instant.now().plusSeconds(60), Algorithm.HMAC512(secret)));
    assertAllowed(viewer);
    viewer.put("token", sst(id, stream, Instant.now().minusSeconds(5), Algorithm.HMAC256(secret)));
    assertDenied(viewer, "token_expired");
    viewer.put("token", tamper(sst));
    assertDenied(viewer, "invalid_signature");
    viewer.put(
        "token", sst(id, stream, Instant.now().plusSeconds(60), Algorithm.HMAC256("x" + secret)));
    assertDenied(viewer, "invalid_signature");
    // The opaque subscribe token itself works as well.
    viewer.put("token", secret);
    assertAllowed(viewer);
  }

  @Test
  void shouldInheritTheAccountsCountriesAndSecureStreams() {
    String accountKey = newAccountKey("geo-" + UUID.randomUUID());
    String account = given().auth().oauth2(accountKey).get("/api/accounts/me").path("id");
    given()
        .auth()
        .oauth2(accountKey)
        .contentType("application/json")
        .body(Map.of("deniedCountries", List.of("FR")))
        .put("/api/account/security")
        .then()
        .statusCode(200);
    String stream = "open-" + UUID.randomUUID();
    Map<String, Object> viewer = request("subscribe", stream, null, "198.51.100.3", account);
    assertAllowed(viewer);
    viewer.put("clientIp", "203.0.113.3");
    assertDenied(viewer, "country_denied");

    Map<String, Object> body = new LinkedHashMap<>();
    body.put("label", "secure");
    body.put("streams", List.of(Map.of("streamName", stream, "isRegex", false)));
    body.put("subscribeRequiresAuth", true);
    create(accountKey, "/api/publish_token", body);
    viewer.put("clientIp", "198.51.100.3");
    assertDenied(viewer, "token_required");
  }

  @Test
  void shouldDecideABatchAsOneByOneAndLeaveTheRestToTheSingleEndpoint() throws Exception {
    String stream = "batch-" + UUID.randomUUID();
    Map<String, Object> open = new LinkedHashMap<>();
    open.put("label", "batch viewers");
    open.put("streams", List.of(Map.of("streamName", stream, "isRegex", false)));
    String viewers = create("/api/subscribe_token", open).getString("token");
    Map<String, Object> bound = new LinkedHashMap<>(open);
    bound.put("label", "batch bound");
    bound.put("bindIpsOnUsage", 1);
    String boundToken = create("/api/subscribe_token", bound).getString("token");

    List<Map<String, Object>> requests =
        List.of(
            request("subscribe", stream, viewers, "192.0.2.60", null),
            request("subscribe", "other-" + stream, viewers, "192.0.2.61", null),
            request("subscribe", stream, viewers, "not-an-address", null),
            // Binding a first address needs the database: left to the single endpoint.
            request("subscribe", stream, boundToken, "192.0.2.62", null));
    assertAllowed(requests.get(0)); // the single endpoint verifies the key for this instance

    List<Map<String, Object>> batch =
        given()
            .auth()
            .oauth2(internalKey)
            .contentType("application/json")
            .body(requests)
            .post("/internal/authorize/batch")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("$");
    assertEquals(4, batch.size());
    assertEquals(true, batch.get(0).get("allowed"));
    assertEquals("stream_not_allowed", batch.get(1).get("reason"));
    assertNull(batch.get(2), "a broken field is the single endpoint's to report");
    assertNull(batch.get(3), "a decision that needs the database is the single endpoint's");
    for (int i : new int[] {0, 1}) {
      Map<String, Object> alone = authorize(requests.get(i)).then().extract().jsonPath().get("$");
      assertEquals(alone, batch.get(i), "the same decision as alone: " + requests.get(i));
    }
    authorize(requests.get(2)).then().statusCode(400);
    authorize(requests.get(3)).then().statusCode(200).body("allowed", equalTo(true));

    given()
        .contentType("application/json")
        .body(requests)
        .post("/internal/authorize/batch")
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .body("title", equalTo("Unauthorized"))
        .body("reason", equalTo("internal_key_not_verified"));
    given()
        .auth()
        .oauth2(operatorKey)
        .contentType("application/json")
        .body(requests)
        .post("/internal/authorize/batch")
        .then()
        .statusCode(401);
    given()
        .auth()
        .oauth2(internalKey)
        .contentType("text/plain")
        .body("[]")
        .post("/internal/authorize/batch")
        .then()
        .statusCode(415)
        .contentType("application/problem+json");
    for (String body : new String[] {"{}", "[", "[1]", ""}) {
      given()
          .auth()
          .oauth2(internalKey)
          .contentType("application/json")
          .body(body)
          .post("/internal/authorize/batch")
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("reason", equalTo("invalid_request"));
    }
    given()
        .auth()
        .oauth2(internalKey)
        .contentType("application/json")
        .body(Collections.nCopies(AuthorizeBatchRoute.MAX_ITEMS + 1, requests.get(0)))
        .post("/internal/authorize/batch")
        .then()
        .statusCode(400)
        .body("reason", equalTo("invalid_request"));
  }

  @Test
  void shouldBindAddressesConsistentlyAcrossInstances() throws Exception {
    String stream = "bound-" + UUID.randomUUID();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("label", "one viewer");
    body.put("streams", List.of(Map.of("streamName", stream, "isRegex", false)));
    body.put("bindIpsOnUsage", 1);
    JsonPath token = create("/api/subscribe_token", body);
    String secret = token.getString("token");
    TokenRef ref = TokenRef.subscribe(token.getLong("id"));

    assertAllowed(request("subscribe", stream, secret, "192.0.2.50", null));
    assertDenied(
        request("subscribe", stream, secret, "2001:db8:1::50", null), "ip_binding_exceeded");
    assertAllowed(request("subscribe", stream, secret, "192.0.2.50", null));

    // Another instance, with its own empty cache, sees the same binding in the database.
    DatabaseUsageGuard other = new DatabaseUsageGuard(dataSource, config);
    assertFalse(other.bind(ref, "192.0.2.51", 1));
    assertTrue(other.bind(ref, "192.0.2.50", 1));

    // Two instances racing for a fresh token's single slot: exactly one address wins.
    TokenRef fresh = TokenRef.subscribe(900_000_000L + (System.nanoTime() % 1_000_000));
    DatabaseUsageGuard a = new DatabaseUsageGuard(dataSource, config);
    DatabaseUsageGuard b = new DatabaseUsageGuard(dataSource, config);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Callable<Boolean>> racers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        DatabaseUsageGuard guard = i % 2 == 0 ? a : b;
        String address = "203.0.113." + i;
        racers.add(() -> guard.bind(fresh, address, 1));
      }
      int winners = 0;
      for (Future<Boolean> result : pool.invokeAll(racers)) {
        winners += result.get() ? 1 : 0;
      }
      assertEquals(1, winners);
      assertEquals(1, a.bindings(fresh).size());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void shouldFollowTokenEventsAndChangesWithoutDatabaseReads() throws Exception {
    String stream = "evented-" + UUID.randomUUID();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("label", "evented");
    body.put("streams", List.of(Map.of("streamName", stream, "isRegex", false)));
    JsonPath token = create("/api/subscribe_token", body);
    long id = token.getLong("id");
    Map<String, Object> viewer =
        request("subscribe", stream, token.getString("token"), "192.0.2.9", null);
    assertAllowed(viewer);

    // Changed behind the service's back: decisions come from memory, so nothing changes yet...
    String account;
    try (Connection connection = dataSource.getConnection();
        PreparedStatement update =
            connection.prepareStatement(
                "UPDATE streaming_token SET is_active = false, revision = revision + 1,"
                    + " updated_at = now() WHERE id = ? RETURNING account_id, revision")) {
      update.setLong(1, id);
      var rows = update.executeQuery();
      rows.next();
      account = rows.getString(1);
      long revision = rows.getLong(2);
      assertAllowed(viewer);
      // ...until the token event arrives, as it would from another instance.
      Map<String, Object> props = new HashMap<>(BeamlineInfraResource.kafka().clientProperties());
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
        TokenUpdatedEvent event =
            new TokenUpdatedEvent(
                UUID.randomUUID(),
                account,
                Instant.now(),
                id,
                revision,
                TokenKind.SUBSCRIBE_TOKEN,
                "evented",
                false,
                null,
                null,
                null,
                List.of("isActive"));
        producer
            .send(
                new ProducerRecord<>(Topics.TOKEN_UPDATED, account, JSON.writeValueAsString(event)))
            .get();
      }
    }
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(() -> assertDenied(viewer, "token_disabled"));

    // A change through the API applies at once on this instance.
    given()
        .auth()
        .oauth2(operatorKey)
        .contentType("application/json")
        .body(Map.of("isActive", true))
        .put("/api/v2/subscribe_token/" + id)
        .then()
        .statusCode(200);
    assertAllowed(viewer);
    given().auth().oauth2(operatorKey).delete("/api/subscribe_token/" + id).then().statusCode(200);
    assertDenied(viewer, "token_not_found");
  }

  @Test
  void shouldCapViewersAndConsumeSingleUseTokensAtMediaStart() {
    String stream = "capped-" + UUID.randomUUID();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("label", "capped");
    body.put("streams", List.of(Map.of("streamName", stream, "isRegex", false)));
    JsonPath token = create("/api/subscribe_token", body);
    long id = token.getLong("id");
    String secret = token.getString("token");
    given()
        .auth()
        .oauth2(operatorKey)
        .contentType("application/json")
        .body(Map.of("maxConcurrentViewers", 1, "singleUseViewerTokens", true))
        .put("/api/subscribe_token/" + id + "/viewer_policy")
        .then()
        .statusCode(200)
        .body("maxConcurrentViewers", equalTo(1));

    String first = sstWithId(id, stream, "viewer-1", Algorithm.HMAC256(secret));
    String second = sstWithId(id, stream, "viewer-2", Algorithm.HMAC256(secret));
    Map<String, Object> viewer = request("subscribe", stream, first, "192.0.2.77", null);
    String viewerTokenId =
        authorize(viewer)
            .then()
            .statusCode(200)
            .body("allowed", equalTo(true))
            .body("settings.viewerTokenId", notNullValue())
            .extract()
            .path("settings.viewerTokenId");
    // Asking twice before the media starts burns nothing.
    assertAllowed(viewer);
    startSession(id, "session-1", viewerTokenId).then().statusCode(204);
    assertDenied(viewer, "token_already_used");
    startSession(id, "session-x", viewerTokenId)
        .then()
        .statusCode(409)
        .body("reason", equalTo("token_already_used"));

    Map<String, Object> next = request("subscribe", stream, second, "192.0.2.78", null);
    assertDenied(next, "viewer_limit_reached");
    given()
        .auth()
        .oauth2(internalKey)
        .delete("/internal/viewer-sessions/session-1")
        .then()
        .statusCode(204);
    assertAllowed(next);
  }

  @Test
  void viewerEventsOfATokenNotYetInThisInstancesIndexAreRecorded() throws Exception {
    String stream = "unindexed-viewers-" + UUID.randomUUID();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("label", "made elsewhere");
    body.put("streams", List.of(Map.of("streamName", stream, "isRegex", false)));
    long id = create("/api/subscribe_token", body).getLong("id");
    String account = accountOf(id);
    // As if another instance had created it a moment ago: the row exists, this index lacks it.
    index.remove(TokenRef.subscribe(id), 0);
    assertNull(index.subscribe(id));
    String session = "unindexed-" + UUID.randomUUID();
    try (KafkaProducer<String, String> producer = eventProducer()) {
      send(
          producer,
          Topics.VIEWER_JOINED,
          joinedEvent(account, stream, session, id, Instant.now(), false));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> "live".equals(sessionState(session)));
    assertEquals(account, index.subscribe(id).accountId(), "the token was read into the index");
  }

  @Test
  void viewerEventsRecordSessionsOnceThatCountAgainstACapSetLater() throws Exception {
    String stream = "evented-viewers-" + UUID.randomUUID();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("label", "evented viewers");
    body.put("streams", List.of(Map.of("streamName", stream, "isRegex", false)));
    JsonPath token = create("/api/subscribe_token", body);
    long id = token.getLong("id");
    String account = accountOf(id);
    String run = UUID.randomUUID().toString();
    String s1 = "ev1-" + run;
    String s2 = "ev2-" + run;
    String s3 = "ev3-" + run;
    String internal = "ev4-" + run;
    String foreign = "ev5-" + run;
    Instant joined = Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.MILLIS);
    try (KafkaProducer<String, String> producer = eventProducer()) {
      ViewerJoinedEvent first = joinedEvent(account, stream, s1, id, joined, false);
      send(producer, Topics.VIEWER_JOINED, first);
      send(producer, Topics.VIEWER_JOINED, first); // redelivered
      send(producer, Topics.VIEWER_JOINED, joinedEvent(account, stream, s2, id, joined, false));
      // s3's leave arrives before its join: it stays ended.
      send(producer, Topics.VIEWER_LEFT, leftEvent(account, stream, s3, id, joined));
      send(producer, Topics.VIEWER_JOINED, joinedEvent(account, stream, s3, id, joined, false));
      // Platform workers and another account's claim on this token are never counted.
      send(
          producer, Topics.VIEWER_JOINED, joinedEvent(account, stream, internal, id, joined, true));
      send(
          producer, Topics.VIEWER_JOINED, joinedEvent("other", stream, foreign, id, joined, false));
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> "ended".equals(sessionState(s3)) && sessionState(s2) != null);
    assertEquals("live", sessionState(s1));
    assertEquals("live", sessionState(s2));
    assertNull(sessionState(internal));
    assertNull(sessionState(foreign));
    try (Connection connection = dataSource.getConnection();
        PreparedStatement count =
            connection.prepareStatement(
                "SELECT count(*), min(started_at) FROM viewer_session WHERE token_id = ?")) {
      count.setLong(1, id);
      var rows = count.executeQuery();
      rows.next();
      // One row per session: the redelivery added none.
      assertEquals(3, rows.getInt(1));
      assertEquals(joined, rows.getTimestamp(2).toInstant()); // the join's own time
    }

    // A cap set afterwards counts the two sessions still live.
    given()
        .auth()
        .oauth2(operatorKey)
        .contentType("application/json")
        .body(Map.of("maxConcurrentViewers", 2))
        .put("/api/subscribe_token/" + id + "/viewer_policy")
        .then()
        .statusCode(200);
    Map<String, Object> viewer =
        request("subscribe", stream, token.getString("token"), "192.0.2.91", null);
    assertDenied(viewer, "viewer_limit_reached");
    try (KafkaProducer<String, String> producer = eventProducer()) {
      send(producer, Topics.VIEWER_LEFT, leftEvent(account, stream, s2, id, joined));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> "ended".equals(sessionState(s2)));
    assertAllowed(viewer);
  }

  private String accountOf(long tokenId) throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement("SELECT account_id FROM streaming_token WHERE id = ?")) {
      select.setLong(1, tokenId);
      var rows = select.executeQuery();
      rows.next();
      return rows.getString(1);
    }
  }

  /** "live" or "ended" for a recorded session, null when there is no row. */
  private String sessionState(String sessionId) throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT ended_at FROM viewer_session WHERE viewer_session_id = ?")) {
      select.setString(1, sessionId);
      var rows = select.executeQuery();
      if (!rows.next()) {
        return null;
      }
      return rows.getTimestamp(1) == null ? "live" : "ended";
    }
  }

  private static KafkaProducer<String, String> eventProducer() {
    Map<String, Object> props = new HashMap<>(BeamlineInfraResource.kafka().clientProperties());
    return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  /** Sends a contract event as stream-service's outbox does: CloudEvents headers, JSON payload. */
  private static void send(
      KafkaProducer<String, String> producer, String topic, BeamlineEvent event) throws Exception {
    CloudEventAttributes attributes = CloudEventAttributes.of(event);
    ProducerRecord<String, String> record =
        new ProducerRecord<>(topic, attributes.subject(), JSON.writeValueAsString(event));
    attributes.toHeaders().forEach((name, value) -> record.headers().add(name, value));
    producer.send(record).get();
  }

  private static ViewerJoinedEvent joinedEvent(
      String account, String stream, String session, long tokenId, Instant at, boolean internal) {
    return new ViewerJoinedEvent(
        UUID.randomUUID(),
        account,
        at,
        account + "/" + stream,
        stream,
        1,
        "local",
        session,
        tokenId,
        null,
        null,
        Protocol.RTMP,
        "node-1",
        internal);
  }

  private static ViewerLeftEvent leftEvent(
      String account, String stream, String session, long tokenId, Instant joinedAt) {
    return new ViewerLeftEvent(
        UUID.randomUUID(),
        account,
        Instant.now(),
        account + "/" + stream,
        stream,
        2,
        "local",
        session,
        tokenId,
        null,
        null,
        Protocol.RTMP,
        "node-1",
        false,
        joinedAt,
        5,
        0);
  }

  @Test
  void shouldExplainEveryCheckToTheOwnerOnly() {
    String stream = "explained-" + UUID.randomUUID();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("label", "explained");
    body.put("streams", List.of(Map.of("streamName", stream, "isRegex", false)));
    body.put("allowedOrigins", List.of("player.example.com"));
    body.put("allowedCountries", List.of("DE"));
    JsonPath token = create("/api/subscribe_token", body);
    Map<String, Object> hypothetical =
        request("subscribe", stream, token.getString("token"), "203.0.113.1", null);
    hypothetical.put("origin", "https://elsewhere.com");
    given()
        .auth()
        .oauth2(operatorKey)
        .contentType("application/json")
        .body(hypothetical)
        .post("/api/token/explain")
        .then()
        .statusCode(200)
        .body("allowed", equalTo(false))
        .body("reason", equalTo("origin_not_allowed"))
        .body("checks.find { it.name == 'stream' }.passed", equalTo(true))
        .body("checks.find { it.name == 'origin' }.reason", equalTo("origin_not_allowed"))
        .body("checks.find { it.name == 'country' }.reason", equalTo("country_denied"))
        .body("settings", nullValue());
    String stranger = newAccountKey("stranger-" + UUID.randomUUID());
    given()
        .auth()
        .oauth2(stranger)
        .contentType("application/json")
        .body(hypothetical)
        .post("/api/token/explain")
        .then()
        .statusCode(200)
        .body("reason", equalTo("token_not_found"));
    given()
        .auth()
        .oauth2(stranger)
        .get("/api/subscribe_token/" + token.getLong("id") + "/viewer_policy")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  @Test
  void shouldReportIndexAndGeoIpReady() {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("checks.find { it.name == 'token-index' }.status", equalTo("UP"))
        .body("checks.find { it.name == 'geoip' }.status", equalTo("UP"));
  }

  // --- helpers ---------------------------------------------------------------------------------

  @Test
  void periodicRefreshReadsOnlyTokensAndViewerPoliciesChangedSinceTheLastOne() throws Exception {
    long relabelled = refreshToken("refresh-a");
    long capped = refreshToken("refresh-b");
    long unchanged = refreshToken("refresh-c");
    try (Connection c = dataSource.getConnection()) {
      for (long id : List.of(relabelled, capped, unchanged)) {
        sql(
            c,
            "UPDATE streaming_token SET updated_at = now() - interval '1 hour' WHERE id = ?",
            id);
      }
      // Changed without an event, as only the refresh would notice.
      sql(
          c,
          "UPDATE streaming_token SET label = 'relabelled', revision = revision + 1,"
              + " updated_at = now() WHERE id = ?",
          relabelled);
      sql(
          c,
          "INSERT INTO subscribe_token_viewer_policy (token_id, account_id, max_concurrent_viewers)"
              + " SELECT id, account_id, 3 FROM streaming_token WHERE id = ?",
          capped);
      // Changed in place without touching updated_at: a refresh that re-read every row would see
      // it.
      sql(
          c,
          "UPDATE streaming_token SET label = 'unseen', revision = revision + 1 WHERE id = ?",
          unchanged);
    }

    store.refreshSince(Instant.now());

    assertEquals("relabelled", index.subscribe(relabelled).definition().label());
    assertEquals(3, index.subscribe(capped).definition().maxConcurrentViewers());
    assertEquals("refresh-c", index.subscribe(unchanged).definition().label());
  }

  private long refreshToken(String label) {
    long id =
        create(
                "/api/subscribe_token",
                Map.of("label", label, "streams", List.of(Map.of("streamName", label))))
            .getLong("id");
    await().atMost(Duration.ofSeconds(10)).until(() -> index.subscribe(id) != null);
    return id;
  }

  private static void sql(Connection connection, String statement, long id) throws Exception {
    try (PreparedStatement update = connection.prepareStatement(statement)) {
      update.setLong(1, id);
      update.executeUpdate();
    }
  }

  private static io.restassured.response.Response authorize(Map<String, Object> body) {
    return given()
        .auth()
        .oauth2(internalKey)
        .contentType("application/json")
        .body(body)
        .post("/internal/authorize");
  }

  private static void assertAllowed(Map<String, Object> body) {
    authorize(body).then().statusCode(200).body("allowed", equalTo(true));
  }

  private static void assertDenied(Map<String, Object> body, String reason) {
    authorize(body)
        .then()
        .statusCode(200)
        .body("allowed", equalTo(false))
        .body("reason", equalTo(reason))
        .body("settings", nullValue());
  }

  private static io.restassured.response.Response startSession(
      long tokenId, String session, String viewerTokenId) {
    return given()
        .auth()
        .oauth2(internalKey)
        .contentType("application/json")
        .body(
            Map.of("tokenId", tokenId, "viewerSessionId", session, "viewerTokenId", viewerTokenId))
        .post("/internal/viewer-sessions");
  }

  private static Map<String, Object> request(
      String action, String stream, String token, String ip, String accountId) {
    Map<String, Object> body = new HashMap<>();
    body.put("action", action);
    body.put("streamName", stream);
    body.put("token", token);
    body.put("clientIp", ip);
    body.put("accountId", accountId);
    return body;
  }

  private static JsonPath create(String path, Map<String, Object> body) {
    return create(operatorKey, path, body);
  }

  private static JsonPath create(String key, String path, Map<String, Object> body) {
    return given()
        .auth()
        .oauth2(key)
        .contentType("application/json")
        .body(body)
        .post(path)
        .then()
        .statusCode(201)
        .body("status", equalTo("success"))
        .extract()
        .jsonPath()
        .setRootPath("data");
  }

  /** A self-signed token minted with java-jwt, an implementation independent of the service's. */
  private static String sst(long parent, String stream, Instant exp, Algorithm alg) {
    return JWT.create()
        .withClaim(
            "streaming",
            Map.of(
                "tokenId",
                parent,
                "tokenType",
                "Subscribe",
                "streamName",
                stream,
                "customViewerData",
                "viewer=7"))
        .withExpiresAt(Date.from(exp))
        .sign(alg);
  }

  private static String sstWithId(long parent, String stream, String jti, Algorithm alg) {
    return JWT.create()
        .withClaim(
            "streaming", Map.of("tokenId", parent, "tokenType", "Subscribe", "streamName", stream))
        .withJWTId(jti)
        .withExpiresAt(Date.from(Instant.now().plusSeconds(120)))
        .sign(alg);
  }

  private static String tamper(String jwt) {
    String[] parts = jwt.split("\\.");
    String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    return parts[0]
        + "."
        + Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(claims.replace("viewer=7", "viewer=8").getBytes(StandardCharsets.UTF_8))
        + "."
        + parts[2];
  }

  private static String newAccountKey(String name) {
    return given()
        .auth()
        .oauth2(operatorKey)
        .contentType("application/json")
        .body(Map.of("name", name))
        .post("/api/accounts")
        .then()
        .statusCode(201)
        .extract()
        .path("apiKey.key");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).trim();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
