package io.beamline.token;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.events.EventJson;
import io.beamline.events.EventSamples;
import io.beamline.events.Topics;
import io.beamline.events.token.TokenCreatedEvent;
import io.beamline.events.token.TokenKind;
import io.beamline.events.token.TokenRevokedEvent;
import io.beamline.events.token.TokenUpdatedEvent;
import io.beamline.token.service.TokenSecrets;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Publish and subscribe tokens and account security defaults through the REST API, against the real
 * database and broker: the reference's bodies, paging, every validation rule, account isolation,
 * sealed secrets and the token events.
 */
@QuarkusTest
class StreamingTokensTest {

  private static final ObjectMapper JSON = EventJson.newObjectMapper();
  private static final String PUBLISH = "/api/publish_token";
  private static final String SUBSCRIBE = "/api/subscribe_token";

  private static String operatorKey;

  @Inject DataSource dataSource;
  @Inject TokenSecrets secrets;

  @BeforeAll
  static void readBootstrapKey() throws Exception {
    Path file = Path.of("target/test-data/bootstrap-api-key.txt");
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(file));
    operatorKey = Files.readString(file).trim();
  }

  /** The reference's create body for a publish token, with every field set. */
  private static Map<String, Object> fullPublishBody() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("label", "Main studio");
    body.put("expires", 3600);
    body.put(
        "streams",
        List.of(
            Map.of("streamName", "studio-main", "isRegex", false),
            Map.of("streamName", "^cam-[0-9]+$", "isRegex", true)));
    body.put("allowedOrigins", List.of("*.example.com", "https://studio.example.org"));
    body.put("allowedIpAddresses", List.of("203.0.113.0/24", "2001:db8::/32", "198.51.100.7"));
    body.put("allowedCountries", List.of("us", "DE"));
    body.put("originCluster", "eu-west");
    body.put("subscribeRequiresAuth", true);
    body.put("record", true);
    body.put("priority", 10);
    body.put(
        "restream",
        List.of(
            Map.of(
                "url", "rtmp://a.rtmp.youtube.com/live2", "key", "abcd-efgh-ijkl", "label", "yt"),
            Map.of("url", "srt://ingest.example.net:9000", "key", "srt-key-1", "enabled", false)));
    return body;
  }

  @Test
  void shouldCreatePublishTokenWithReferenceBodyAndReadItBack() {
    String account = newAccountKey("publisher");
    Response created = post(account, PUBLISH, fullPublishBody());
    created
        .then()
        .statusCode(201)
        .header("Location", containsString(PUBLISH + "/"))
        .body("status", equalTo("success"))
        .body("data.label", equalTo("Main studio"))
        .body("data.token", matchesPattern("[0-9a-f]{64}"))
        .body("data.isActive", equalTo(true))
        .body("data", not(hasKey("active")))
        .body("data.streams[0]", not(hasKey("regex")))
        .body("data.streams[1].streamName", equalTo("^cam-[0-9]+$"))
        .body("data.streams[1].isRegex", equalTo(true))
        .body("data.allowedOrigins", contains("*.example.com", "https://studio.example.org"))
        .body("data.allowedIpAddresses", hasItem("2001:db8::/32"))
        .body("data.allowedCountries", contains("US", "DE"))
        .body("data.deniedCountries", empty())
        .body("data.bindIpsOnUsage", nullValue())
        .body("data.originCluster", equalTo("eu-west"))
        .body("data.subscribeRequiresAuth", equalTo(true))
        .body("data.record", equalTo(true))
        .body("data.multisource", equalTo(true))
        .body("data.priority", equalTo(10))
        .body("data.restream[0].key", equalTo("abcd-efgh-ijkl"))
        .body("data.restream[0].enabled", equalTo(true))
        .body("data.restream[1].enabled", equalTo(false))
        .body("data.effectiveSettings.originCluster", equalTo("eu-west"))
        .body("data.effectiveSettings.allowedCountries", contains("US", "DE"));
    long id = created.jsonPath().getLong("data.id");
    Instant expiresOn = Instant.parse(created.path("data.expiresOn"));
    Instant addedOn = Instant.parse(created.path("data.addedOn"));
    assertEquals(3600, Duration.between(addedOn, expiresOn).toSeconds());

    given()
        .auth()
        .oauth2(account)
        .get(PUBLISH + "/" + id)
        .then()
        .statusCode(200)
        .body("data.token", equalTo(created.path("data.token")))
        .body("data.restream.size()", equalTo(2))
        .body("data.expiresOn", equalTo(created.path("data.expiresOn")));
  }

  @Test
  void shouldCreateSubscribeTokenWithTrackingAndDefaults() {
    String account = newAccountKey("viewer org");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("label", "partner viewers");
    body.put("streams", List.of(Map.of("streamName", "match-1")));
    body.put("tracking", Map.of("trackingId", "partner-42"));
    body.put("bindIpsOnUsage", 1);
    body.put("expiresOn", Instant.now().plus(2, ChronoUnit.DAYS).toString());
    Response created = post(account, SUBSCRIBE, body);
    created
        .then()
        .statusCode(201)
        .body("data.tracking.trackingId", equalTo("partner-42"))
        .body("data.bindIpsOnUsage", equalTo(1))
        .body("data.streams[0].isRegex", equalTo(false))
        .body("data.effectiveSettings.originCluster", equalTo("auto"))
        .body("data.record", nullValue());
    long id = created.jsonPath().getLong("data.id");
    // A subscribe token id is not a publish token id.
    given().auth().oauth2(account).get(PUBLISH + "/" + id).then().statusCode(404);
    // Tracking is set at create only.
    put(account, "/api/v2/subscribe_token/" + id, Map.of("tracking", Map.of("trackingId", "x")))
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("tracking"))
        .body("errors[0].message", containsString("created"));
  }

  @Test
  void shouldUpdateWithV2PlainNamesAndAnnounceChangedFields() throws Exception {
    String account = newAccountKey("updater");
    long id =
        post(account, PUBLISH, fullPublishBody())
            .then()
            .statusCode(201)
            .extract()
            .jsonPath()
            .getLong("data.id");
    Map<String, Object> update = new LinkedHashMap<>();
    update.put("label", "Renamed");
    update.put("allowedOrigins", List.of("app.example.com"));
    update.put("priority", null);
    update.put("allowedIpAddresses", List.of());
    update.put("bindIpsOnUsage", 2);
    update.put("addTokenStreams", List.of(Map.of("streamName", "extra")));
    update.put("removeTokenStreams", List.of("studio-main"));
    put(account, "/api/v2/publish_token/" + id, update)
        .then()
        .statusCode(200)
        .body("data.label", equalTo("Renamed"))
        .body("data.allowedOrigins", contains("app.example.com"))
        .body("data.priority", nullValue())
        .body("data.allowedIpAddresses", empty())
        .body("data.bindIpsOnUsage", equalTo(2))
        .body("data.streams.streamName", contains("^cam-[0-9]+$", "extra"))
        // Untouched fields keep their values.
        .body("data.record", equalTo(true))
        .body("data.allowedCountries", contains("US", "DE"));

    ConsumerRecord<String, String> record = awaitEvent(Topics.TOKEN_UPDATED, id, null);
    assertContractShape(Topics.TOKEN_UPDATED, TokenUpdatedEvent.class, record.value());
    assertEquals(account(account), record.key());
    TokenUpdatedEvent event = JSON.readValue(record.value(), TokenUpdatedEvent.class);
    assertEquals(TokenKind.PUBLISH_TOKEN, event.tokenKind());
    assertEquals(2, event.revision());
    assertEquals("Renamed", event.label());
    assertTrue(event.active());
    assertEquals(
        Set.of(
            "label",
            "streams",
            "allowedOrigins",
            "allowedIpAddresses",
            "bindIpsOnUsage",
            "priority"),
        Set.copyOf(event.changedFields()));
  }

  @Test
  void shouldUpdateWithV1UpdateNamesAndNameThemInErrors() {
    String account = newAccountKey("v1 user");
    long id =
        post(account, PUBLISH, minimalBody("v1")).then().extract().jsonPath().getLong("data.id");
    put(
            account,
            PUBLISH + "/" + id,
            Map.of(
                "updateDeniedCountries", List.of("fr"),
                "updateAllowedIpAddresses", List.of("::1", "192.0.2.1"),
                "multisource", false))
        .then()
        .statusCode(200)
        .body("data.deniedCountries", contains("FR"))
        .body("data.allowedIpAddresses", contains("::1", "192.0.2.1"))
        .body("data.multisource", equalTo(false));
    put(account, PUBLISH + "/" + id, Map.of("updateAllowedCountries", List.of("ZZ")))
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("updateAllowedCountries[0]"));
  }

  @Test
  void shouldRegenerateSecretAndRevokeTheOldOne() throws Exception {
    String account = newAccountKey("regenerator");
    Response created = post(account, SUBSCRIBE, minimalBody("regen"));
    long id = created.jsonPath().getLong("data.id");
    String old = created.path("data.token");
    String fresh =
        put(account, "/api/v2/subscribe_token/" + id, Map.of("refreshToken", true))
            .then()
            .statusCode(200)
            .extract()
            .path("data.token");
    assertNotEquals(old, fresh);
    assertTrue(fresh.matches("[0-9a-f]{64}"));
    given()
        .auth()
        .oauth2(account)
        .get(SUBSCRIBE + "/" + id)
        .then()
        .body("data.token", equalTo(fresh))
        .body("data.isActive", equalTo(true));

    TokenRevokedEvent revoked =
        JSON.readValue(
            awaitEvent(Topics.TOKEN_REVOKED, id, "regenerated").value(), TokenRevokedEvent.class);
    assertEquals(TokenKind.SUBSCRIBE_TOKEN, revoked.tokenKind());
    assertEquals(2, revoked.revision());
    TokenUpdatedEvent updated =
        JSON.readValue(awaitEvent(Topics.TOKEN_UPDATED, id, null).value(), TokenUpdatedEvent.class);
    assertEquals(List.of("token"), updated.changedFields());
    assertEquals(3, updated.revision());
    assertTrue(updated.active());
  }

  @Test
  void shouldDisableEnableAndBulkDisableWithPerTokenResults() throws Exception {
    String account = newAccountKey("disabler");
    String other = newAccountKey("other");
    long a =
        post(account, PUBLISH, minimalBody("a")).then().extract().jsonPath().getLong("data.id");
    long b =
        post(account, PUBLISH, minimalBody("b")).then().extract().jsonPath().getLong("data.id");
    long foreign =
        post(other, PUBLISH, minimalBody("foreign")).then().extract().jsonPath().getLong("data.id");

    put(account, "/api/v2/publish_token/" + a, Map.of("isActive", false))
        .then()
        .statusCode(200)
        .body("data.isActive", equalTo(false));
    TokenRevokedEvent disabled =
        JSON.readValue(
            awaitEvent(Topics.TOKEN_REVOKED, a, "disabled").value(), TokenRevokedEvent.class);
    assertEquals(account(account), disabled.accountId());
    put(account, "/api/v2/publish_token/" + a, Map.of("isActive", true))
        .then()
        .body("data.isActive", equalTo(true));
    TokenUpdatedEvent enabled =
        JSON.readValue(awaitEvent(Topics.TOKEN_UPDATED, a, null).value(), TokenUpdatedEvent.class);
    assertTrue(enabled.active());
    assertEquals(List.of("isActive"), enabled.changedFields());

    given()
        .auth()
        .oauth2(account)
        .contentType("application/json")
        .body(Map.of("tokenIds", List.of(a, b, foreign, 999_999_999L)))
        .patch(PUBLISH + "/disable")
        .then()
        .statusCode(200)
        .body("status", equalTo("success"))
        .body("data.successfulTokens", contains((int) a, (int) b))
        .body("data.failedTokens.tokenId", contains((int) foreign, 999_999_999))
        .body("data.failedTokens[0].errorMessage", containsString("not found"));
    given()
        .auth()
        .oauth2(account)
        .get(PUBLISH + "/" + b)
        .then()
        .body("data.isActive", equalTo(false));
    // The other account's token was not touched.
    given()
        .auth()
        .oauth2(other)
        .get(PUBLISH + "/" + foreign)
        .then()
        .body("data.isActive", equalTo(true));
    given()
        .auth()
        .oauth2(account)
        .contentType("application/json")
        .body(Map.of("tokenIds", List.of()))
        .patch(PUBLISH + "/disable")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("tokenIds"));
  }

  @Test
  void shouldDeleteAndAnnounceIt() throws Exception {
    String account = newAccountKey("deleter");
    long id =
        post(account, PUBLISH, minimalBody("gone")).then().extract().jsonPath().getLong("data.id");
    given()
        .auth()
        .oauth2(account)
        .delete(PUBLISH + "/" + id)
        .then()
        .statusCode(200)
        .body("status", equalTo("success"))
        .body("data", equalTo(true));
    given().auth().oauth2(account).get(PUBLISH + "/" + id).then().statusCode(404);
    given().auth().oauth2(account).delete(PUBLISH + "/" + id).then().statusCode(404);
    ConsumerRecord<String, String> record = awaitEvent(Topics.TOKEN_REVOKED, id, "deleted");
    TokenRevokedEvent event = JSON.readValue(record.value(), TokenRevokedEvent.class);
    assertEquals(TokenKind.PUBLISH_TOKEN, event.tokenKind());
    assertEquals(2, event.revision());
    assertEquals(account(account), record.key());
    assertContractShape(Topics.TOKEN_REVOKED, TokenRevokedEvent.class, record.value());
  }

  @Test
  void shouldAnnounceCreationWithTheContractShape() throws Exception {
    String account = newAccountKey("announcer");
    Map<String, Object> body = minimalBody("tracked");
    body.put("tracking", Map.of("trackingId", "t-1"));
    long id =
        post(account, SUBSCRIBE, body)
            .then()
            .statusCode(201)
            .extract()
            .jsonPath()
            .getLong("data.id");
    ConsumerRecord<String, String> record = awaitEvent(Topics.TOKEN_CREATED, id, null);
    TokenCreatedEvent event = JSON.readValue(record.value(), TokenCreatedEvent.class);
    assertEquals(TokenKind.SUBSCRIBE_TOKEN, event.tokenKind());
    assertEquals(1, event.revision());
    assertEquals("t-1", event.trackingId());
    assertEquals("tracked", event.label());
    assertNull(event.scopes());
    assertEquals(account(account), event.accountId());
    assertEquals(account(account), record.key());
    assertContractShape(Topics.TOKEN_CREATED, TokenCreatedEvent.class, record.value());
    // The secret never travels in events.
    String secret = given().auth().oauth2(account).get(SUBSCRIBE + "/" + id).path("data.token");
    assertFalse(record.value().contains(secret));
  }

  @Test
  void shouldPageAndSortWithinLimits() {
    String account = newAccountKey("pager");
    for (String label : List.of("delta", "alpha", "echo", "charlie", "bravo")) {
      post(account, SUBSCRIBE, minimalBody(label)).then().statusCode(201);
    }
    given()
        .auth()
        .oauth2(account)
        .queryParams(Map.of("page", 2, "itemsOnPage", 2, "sortBy", "Name"))
        .get(SUBSCRIBE + "/list")
        .then()
        .statusCode(200)
        .header("X-Total-Count", "5")
        .body("data.label", contains("charlie", "delta"));
    given()
        .auth()
        .oauth2(account)
        .queryParams(Map.of("page", 1, "itemsOnPage", 2, "sortBy", "Name", "isDescending", true))
        .get(SUBSCRIBE + "/list")
        .then()
        .body("data.label", contains("echo", "delta"));
    given()
        .auth()
        .oauth2(account)
        .queryParams(Map.of("itemsOnPage", 100, "sortBy", "AddedOn"))
        .get(SUBSCRIBE + "/list")
        .then()
        .body("data.label", contains("delta", "alpha", "echo", "charlie", "bravo"));
    given()
        .auth()
        .oauth2(account)
        .queryParams(Map.of("page", 4, "itemsOnPage", 2))
        .get(SUBSCRIBE + "/list")
        .then()
        .statusCode(200)
        .body("data", empty());
    for (Map<String, Object> bad :
        List.<Map<String, Object>>of(
            Map.of("itemsOnPage", 101),
            Map.of("itemsOnPage", 0),
            Map.of("page", 0),
            Map.of("page", "x"),
            Map.of("sortBy", "Size"),
            Map.of("isDescending", "maybe"))) {
      String field = bad.keySet().iterator().next();
      given()
          .auth()
          .oauth2(account)
          .queryParams(bad)
          .get(SUBSCRIBE + "/list")
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("errors.field", hasItem(field));
    }
  }

  @Test
  void shouldListByTokenOrStreamName() {
    String account = newAccountKey("finder");
    Map<String, Object> one = minimalBody("Morning Show");
    one.put("streams", List.of(Map.of("streamName", "news-live")));
    Map<String, Object> two = minimalBody("Evening");
    two.put("streams", List.of(Map.of("streamName", "morning_replay")));
    post(account, PUBLISH, one).then().statusCode(201);
    post(account, PUBLISH, two).then().statusCode(201);
    post(account, PUBLISH, minimalBody("unrelated")).then().statusCode(201);

    listByName(account, "morning", "TokenName").body("data.label", contains("Morning Show"));
    listByName(account, "MORNING", "StreamName").body("data.label", contains("Evening"));
    listByName(account, "morning", "TokenOrStreamName")
        .header("X-Total-Count", "2")
        .body("data.label", contains("Morning Show", "Evening"));
    // LIKE wildcards in the name are literal.
    listByName(account, "%", "TokenOrStreamName").body("data", empty());
    listByName(account, "_replay", "StreamName").body("data.label", contains("Evening"));
    given()
        .auth()
        .oauth2(account)
        .get(PUBLISH + "/list_by_name")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("name"));
    given()
        .auth()
        .oauth2(account)
        .queryParams(Map.of("name", "x", "filterBy", "Label"))
        .get(PUBLISH + "/list_by_name")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("filterBy"));
  }

  @Test
  void shouldRefuseEveryInvalidFieldNamingIt() {
    String account = newAccountKey("validator");
    String long129 = "x".repeat(129);
    List<Object[]> cases = new ArrayList<>();
    cases.add(new Object[] {PUBLISH, Map.of("label", ""), "label"});
    cases.add(new Object[] {PUBLISH, Map.of("label", long129), "label"});
    cases.add(new Object[] {PUBLISH, Map.of("streams", List.of()), "streams"});
    cases.add(
        new Object[] {
          PUBLISH,
          Map.of("streams", List.of(Map.of("streamName", long129))),
          "streams[0].streamName"
        });
    cases.add(
        new Object[] {
          PUBLISH,
          Map.of("streams", List.of(Map.of("streamName", "(a", "isRegex", true))),
          "streams[0].streamName"
        });
    // Backreferences are what makes backtracking engines explode; RE2 refuses them.
    cases.add(
        new Object[] {
          PUBLISH,
          Map.of("streams", List.of(Map.of("streamName", "(a+)+\\1", "isRegex", true))),
          "streams[0].streamName"
        });
    for (String ip :
        List.of(
            "300.1.1.1",
            "10.0.0.0/33",
            "1.2.3.*",
            "1.2.3.4-9",
            "2001:db8::/129",
            "2001:db8::zz",
            "010.1.1.1",
            "fe80::1%eth0",
            "example.com")) {
      cases.add(
          new Object[] {
            PUBLISH, Map.of("allowedIpAddresses", List.of(ip)), "allowedIpAddresses[0]"
          });
    }
    cases.add(
        new Object[] {
          PUBLISH,
          Map.of("allowedIpAddresses", List.of("10.0.0.0/8"), "bindIpsOnUsage", 1),
          "bindIpsOnUsage"
        });
    cases.add(new Object[] {PUBLISH, Map.of("bindIpsOnUsage", 0), "bindIpsOnUsage"});
    cases.add(new Object[] {SUBSCRIBE, Map.of("bindIpsOnUsage", 101), "bindIpsOnUsage"});
    cases.add(
        new Object[] {PUBLISH, Map.of("allowedCountries", List.of("XX")), "allowedCountries[0]"});
    cases.add(
        new Object[] {PUBLISH, Map.of("deniedCountries", List.of("USA")), "deniedCountries[0]"});
    cases.add(
        new Object[] {
          SUBSCRIBE,
          Map.of("allowedCountries", List.of("US"), "deniedCountries", List.of("FR")),
          "deniedCountries"
        });
    cases.add(new Object[] {PUBLISH, Map.of("expires", 0), "expires"});
    cases.add(new Object[] {PUBLISH, Map.of("expires", 400_000_000L), "expires"});
    cases.add(new Object[] {PUBLISH, Map.of("expires", "soon"), "expires"});
    cases.add(
        new Object[] {
          PUBLISH, Map.of("expiresOn", Instant.now().minusSeconds(60).toString()), "expiresOn"
        });
    cases.add(
        new Object[] {
          PUBLISH,
          Map.of("expiresOn", Instant.now().plus(4000, ChronoUnit.DAYS).toString()),
          "expiresOn"
        });
    for (String origin :
        List.of("*", "ftp://x.example.com", "*.com", "https://", "a b.com", "x.com/path")) {
      cases.add(
          new Object[] {SUBSCRIBE, Map.of("allowedOrigins", List.of(origin)), "allowedOrigins[0]"});
    }
    cases.add(new Object[] {PUBLISH, Map.of("originCluster", "eu west"), "originCluster"});
    cases.add(
        new Object[] {
          PUBLISH,
          Map.of("restream", List.of(Map.of("url", "http://x.example.com/live", "key", "abcdef"))),
          "restream[0].url"
        });
    cases.add(
        new Object[] {
          PUBLISH,
          Map.of("restream", List.of(Map.of("url", "rtmps://x.example.com/live", "key", "abc"))),
          "restream[0].key"
        });
    List<Map<String, Object>> eleven = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      eleven.add(Map.of("url", "rtmp://x.example.com/live" + i, "key", "key-" + i + "-xyz"));
    }
    cases.add(new Object[] {PUBLISH, Map.of("restream", eleven), "restream"});
    cases.add(new Object[] {PUBLISH, Map.of("colour", "red"), "colour"});
    cases.add(new Object[] {PUBLISH, Map.of("drm", true), "drm"});
    cases.add(new Object[] {SUBSCRIBE, Map.of("record", true), "record"});
    cases.add(new Object[] {PUBLISH, Map.of("tracking", Map.of("trackingId", "t")), "tracking"});
    cases.add(new Object[] {PUBLISH, Map.of("refreshToken", true), "refreshToken"});
    cases.add(
        new Object[] {
          SUBSCRIBE, Map.of("tracking", Map.of("trackingId", long129)), "tracking.trackingId"
        });
    cases.add(new Object[] {PUBLISH, Map.of("record", "sometimes"), "record"});

    for (Object[] c : cases) {
      String path = (String) c[0];
      @SuppressWarnings("unchecked")
      Map<String, Object> overrides = (Map<String, Object>) c[1];
      String field = (String) c[2];
      Map<String, Object> body = minimalBody("valid");
      body.putAll(overrides);
      Response response = post(account, path, body);
      assertEquals(
          400,
          response.statusCode(),
          () -> "expected 400 for " + overrides + ": " + response.asString());
      response
          .then()
          .contentType("application/problem+json")
          .body("status", equalTo(400))
          .body("errors.field", hasItem(field));
    }
    // Nothing invalid was stored.
    given().auth().oauth2(account).get(PUBLISH + "/list").then().header("X-Total-Count", "0");
    // Edge values that are valid.
    Map<String, Object> edge = minimalBody("y".repeat(128));
    edge.put(
        "allowedIpAddresses", List.of("::1", "::ffff:192.0.2.1", "2001:db8::/128", "0.0.0.0/0"));
    edge.put("allowedOrigins", List.of("http://localhost:3000", "*.example.co.uk"));
    edge.put("expires", 1);
    edge.put("streams", List.of(Map.of("streamName", "(a|b)*c{1,5}", "isRegex", true)));
    // Reference fields Beamline lacks are accepted at their default (off) values.
    edge.put("clip", false);
    edge.put("lowLatencyRtmp", true);
    edge.put("drm", false);
    post(account, PUBLISH, edge).then().statusCode(201);
  }

  @Test
  void shouldValidateTheUpdatedTokenAsAWhole() {
    String account = newAccountKey("whole");
    Map<String, Object> body = minimalBody("w");
    body.put("allowedIpAddresses", List.of("192.0.2.0/24"));
    body.put("allowedCountries", List.of("US"));
    long id =
        post(account, PUBLISH, body).then().statusCode(201).extract().jsonPath().getLong("data.id");
    put(account, "/api/v2/publish_token/" + id, Map.of("bindIpsOnUsage", 3))
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("bindIpsOnUsage"))
        .body("errors[0].message", containsString("mutually exclusive"));
    put(account, "/api/v2/publish_token/" + id, Map.of("deniedCountries", List.of("CN")))
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("deniedCountries"));
    put(account, "/api/v2/publish_token/" + id, Map.of("removeTokenStreams", List.of("w-stream")))
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("removeTokenStreams"));
    // Switching lists in one request is fine.
    Map<String, Object> swap = new LinkedHashMap<>();
    swap.put("allowedCountries", List.of());
    swap.put("deniedCountries", List.of("CN"));
    put(account, "/api/v2/publish_token/" + id, swap)
        .then()
        .statusCode(200)
        .body("data.deniedCountries", contains("CN"));
    given().auth().oauth2(account).get(PUBLISH + "/abc").then().statusCode(404);
    put(account, "/api/v2/publish_token/99999999", Map.of("label", "x")).then().statusCode(404);
  }

  @Test
  void shouldGiveConcurrentChangesDistinctRevisions() throws Exception {
    String account = newAccountKey("concurrent");
    Map<String, Object> body = minimalBody("racy");
    body.put("expires", 600);
    long id =
        post(account, PUBLISH, body).then().statusCode(201).extract().jsonPath().getLong("data.id");
    List<java.util.concurrent.CompletableFuture<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String label = "racy-" + i;
      calls.add(
          java.util.concurrent.CompletableFuture.supplyAsync(
              () ->
                  put(account, "/api/v2/publish_token/" + id, Map.of("label", label))
                      .statusCode()));
    }
    for (var call : calls) {
      assertEquals(200, call.get());
    }
    List<Long> revisions =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    events(Topics.TOKEN_UPDATED, id, null).stream()
                        .map(r -> read(r.value(), TokenUpdatedEvent.class).revision())
                        .sorted()
                        .toList(),
                list -> list.size() == 8);
    assertEquals(List.of(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), revisions);
    // expiresOn: null clears the expiry (never expires).
    Map<String, Object> clear = new LinkedHashMap<>();
    clear.put("expiresOn", null);
    put(account, "/api/v2/publish_token/" + id, clear)
        .then()
        .statusCode(200)
        .body("data.expiresOn", nullValue());
  }

  private static <T> T read(String json, Class<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void shouldKeepAccountsApart() {
    String owner = newAccountKey("owner");
    String intruder = newAccountKey("intruder");
    long id =
        post(owner, PUBLISH, minimalBody("private")).then().extract().jsonPath().getLong("data.id");
    given()
        .auth()
        .oauth2(intruder)
        .get(PUBLISH + "/" + id)
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    put(intruder, "/api/v2/publish_token/" + id, Map.of("refreshToken", true))
        .then()
        .statusCode(404);
    put(intruder, PUBLISH + "/" + id, Map.of("label", "mine")).then().statusCode(404);
    given().auth().oauth2(intruder).delete(PUBLISH + "/" + id).then().statusCode(404);
    given()
        .auth()
        .oauth2(intruder)
        .get(PUBLISH + "/list")
        .then()
        .statusCode(200)
        .body("data.id", not(hasItem((int) id)));
    given()
        .auth()
        .oauth2(intruder)
        .queryParam("name", "private")
        .get(PUBLISH + "/list_by_name")
        .then()
        .body("data", empty());
    given()
        .auth()
        .oauth2(owner)
        .get(PUBLISH + "/" + id)
        .then()
        .statusCode(200)
        .body("data.label", equalTo("private"))
        .body("data.isActive", equalTo(true));
  }

  @Test
  void shouldRequireTheTokenScopes() {
    String readOnly = createKey(operatorKey, "tokens read only", List.of("tokens:read"));
    given().auth().oauth2(readOnly).get(PUBLISH + "/list").then().statusCode(200);
    post(readOnly, PUBLISH, minimalBody("nope")).then().statusCode(403);
    given().get(PUBLISH + "/list").then().statusCode(401).contentType("application/problem+json");
    String keysOnly = createKey(operatorKey, "keys only", List.of("keys:read"));
    given().auth().oauth2(keysOnly).get(SUBSCRIBE + "/list").then().statusCode(403);
  }

  @Test
  void shouldStoreSecretsSealedWithKeyVersion() throws Exception {
    String account = newAccountKey("sealed");
    Map<String, Object> body = minimalBody("sealed");
    body.put(
        "restream",
        List.of(Map.of("url", "rtmp://live.example.com/app", "key", "very-secret-stream-key")));
    Response created = post(account, PUBLISH, body);
    long id = created.jsonPath().getLong("data.id");
    String secret = created.path("data.token");
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT secret_sealed, secret_key_version, secret_digest, restream_sealed,"
                    + " restream_enabled, streams::text AS streams, row_to_json(t)::text AS whole"
                    + " FROM streaming_token t WHERE id = ?")) {
      query.setLong(1, id);
      try (ResultSet row = query.executeQuery()) {
        assertTrue(row.next());
        byte[] sealed = row.getBytes("secret_sealed");
        String whole = row.getString("whole");
        assertFalse(whole.contains(secret), "the plain secret is in the row");
        assertFalse(whole.contains("very-secret-stream-key"), "the stream key is in the row");
        assertFalse(
            new String(sealed, StandardCharsets.ISO_8859_1).contains(secret),
            "secret_sealed holds the plain secret");
        // 12-byte IV + 64 bytes + 16-byte GCM tag
        assertEquals(12 + 64 + 16, sealed.length);
        assertEquals(1, row.getInt("secret_key_version"));
        assertArrayEquals(TokenSecrets.digest(secret), row.getBytes("secret_digest"));
        assertEquals(secret, secrets.open(row.getInt("secret_key_version"), sealed));
        assertTrue(row.getBoolean("restream_enabled"));
        // The documented JSONB shape other readers of the table rely on.
        assertEquals(
            List.of(Map.of("streamName", "sealed-stream", "isRegex", false)),
            JSON.readValue(row.getString("streams"), List.class));
        assertFalse(
            new String(row.getBytes("restream_sealed"), StandardCharsets.ISO_8859_1)
                .contains("very-secret"));
        assertFalse(HexFormat.of().formatHex(sealed).contains(secret));
      }
    }
  }

  @Test
  void shouldAnnounceExpiryOnce() throws Exception {
    String account = newAccountKey("expiring");
    Map<String, Object> body = minimalBody("short-lived");
    body.put("expires", 1);
    long id =
        post(account, SUBSCRIBE, body)
            .then()
            .statusCode(201)
            .extract()
            .jsonPath()
            .getLong("data.id");
    ConsumerRecord<String, String> record = awaitEvent(Topics.TOKEN_REVOKED, id, "expired");
    TokenRevokedEvent event = JSON.readValue(record.value(), TokenRevokedEvent.class);
    assertEquals(TokenKind.SUBSCRIBE_TOKEN, event.tokenKind());
    assertEquals(2, event.revision());
    assertTrue(!event.expiresAt().isAfter(event.occurredAt()));
    // Several more runs of the job (every 500 ms in tests) announce nothing new.
    await()
        .pollDelay(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(20))
        .until(() -> events(Topics.TOKEN_REVOKED, id, "expired").size() == 1);
    // A new expiry in the future makes the token usable again, and is announced once more.
    put(account, "/api/v2/subscribe_token/" + id, Map.of("expires", 1)).then().statusCode(200);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> events(Topics.TOKEN_REVOKED, id, "expired").size() == 2);
  }

  @Test
  void shouldInheritAccountSecurityDefaults() {
    String account = newAccountKey("geo");
    given()
        .auth()
        .oauth2(account)
        .get("/api/account/security")
        .then()
        .statusCode(200)
        .body("status", equalTo("success"))
        .body("data.allowedCountries", empty())
        .body("data.deniedCountries", empty());
    put(account, "/api/v3/account/security", Map.of("updateDeniedCountries", List.of("kp", "IR")))
        .then()
        .statusCode(200)
        .body("data.deniedCountries", contains("KP", "IR"));
    long inherits =
        post(account, SUBSCRIBE, minimalBody("inherits"))
            .then()
            .extract()
            .jsonPath()
            .getLong("data.id");
    Map<String, Object> ownBody = minimalBody("own");
    ownBody.put("allowedCountries", List.of("CA"));
    long own = post(account, SUBSCRIBE, ownBody).then().extract().jsonPath().getLong("data.id");
    given()
        .auth()
        .oauth2(account)
        .get(SUBSCRIBE + "/" + inherits)
        .then()
        .body("data.deniedCountries", empty())
        .body("data.effectiveSettings.deniedCountries", contains("KP", "IR"))
        .body("data.effectiveSettings.allowedCountries", empty());
    given()
        .auth()
        .oauth2(account)
        .get(SUBSCRIBE + "/" + own)
        .then()
        .body("data.effectiveSettings.allowedCountries", contains("CA"))
        .body("data.effectiveSettings.deniedCountries", empty());

    put(account, "/api/account/security", Map.of("allowedCountries", List.of("US")))
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("allowedCountries"));
    put(account, "/api/account/security", Map.of("updateAllowedCountries", List.of("U1")))
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("updateAllowedCountries[0]"));
    put(
            account,
            "/api/account/security",
            Map.of("updateDeniedCountries", List.of(), "updateAllowedCountries", List.of("US")))
        .then()
        .statusCode(200)
        .body("data.allowedCountries", contains("US"))
        .body("data.deniedCountries", empty());
    // Another account's defaults are its own.
    given()
        .auth()
        .oauth2(newAccountKey("geo other"))
        .get("/api/v3/account/security")
        .then()
        .body("data.allowedCountries", empty());
  }

  // ---------------------------------------------------------------------------------------------

  private static Map<String, Object> minimalBody(String label) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("label", label);
    body.put("streams", List.of(Map.of("streamName", label + "-stream")));
    return body;
  }

  private static Response post(String key, String path, Object body) {
    return given().auth().oauth2(key).contentType("application/json").body(body).post(path);
  }

  private static Response put(String key, String path, Object body) {
    return given().auth().oauth2(key).contentType("application/json").body(body).put(path);
  }

  private static io.restassured.response.ValidatableResponse listByName(
      String key, String name, String filterBy) {
    return given()
        .auth()
        .oauth2(key)
        .queryParams(Map.of("name", name, "filterBy", filterBy, "sortBy", "AddedOn"))
        .get(PUBLISH + "/list_by_name")
        .then()
        .statusCode(200);
  }

  /** A fresh account (created by the operator) and its first key, with every account scope. */
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

  private static String createKey(String with, String label, List<String> scopes) {
    return given()
        .auth()
        .oauth2(with)
        .contentType("application/json")
        .body(Map.of("label", label, "scopes", scopes))
        .post("/api/keys")
        .then()
        .statusCode(201)
        .extract()
        .path("key");
  }

  private static String account(String apiKey) {
    return given().auth().oauth2(apiKey).get("/api/accounts/me").path("id");
  }

  /** The latest event about streaming token {@code tokenId} on {@code topic} (with a reason). */
  private static ConsumerRecord<String, String> awaitEvent(
      String topic, long tokenId, String reason) {
    List<ConsumerRecord<String, String>> found =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> events(topic, tokenId, reason), list -> !list.isEmpty());
    return found.get(found.size() - 1);
  }

  private static List<ConsumerRecord<String, String>> events(
      String topic, long tokenId, String reason) {
    try {
      return BeamlineInfraResource.kafka().readTopic(topic, Duration.ofSeconds(10)).stream()
          .filter(r -> r.value().contains("\"tokenId\":" + tokenId + ","))
          .filter(r -> !r.value().contains("\"API_KEY\""))
          .filter(r -> reason == null || r.value().contains("\"reason\":\"" + reason + "\""))
          .toList();
    } catch (RuntimeException e) {
      // The topic may not exist yet right after start: try again on the next poll.
      return List.of();
    }
  }

  /**
   * The producer writes the contract's shape: only fields of the event record (nulls are left out),
   * each of them known to the golden sample or the record, and every non-null field of the golden
   * sample that is not kind-specific (API-key scopes, expiry) is written too.
   */
  private static void assertContractShape(String topic, Class<?> type, String json)
      throws Exception {
    Set<String> components = new TreeSet<>();
    for (var component : type.getRecordComponents()) {
      components.add(component.getName());
    }
    Set<String> written = fieldNames(JSON.readTree(json));
    assertTrue(components.containsAll(written), () -> written + " not all in " + components);
    Set<String> sample = fieldNames(JSON.readTree(EventSamples.load(topic)));
    sample.removeAll(Set.of("scopes", "expiresAt", "trackingId"));
    assertTrue(written.containsAll(sample), () -> written + " lacks some of " + sample);
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
