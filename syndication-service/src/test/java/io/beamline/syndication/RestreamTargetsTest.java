package io.beamline.syndication;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import io.beamline.devstack.test.TestApiKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The per-stream restream targets API: validation, the SSRF guard, the cap and isolation. */
@QuarkusTest
class RestreamTargetsTest {

  private static final Set<String> ALL = Set.of("restream:read", "restream:write");

  private final String account = "acc-" + UUID.randomUUID().toString().substring(0, 8);

  private static RequestSpecification as(String account, Set<String> scopes) {
    return given()
        .header(
            "Authorization",
            "Bearer " + TestApiKeys.apiKey(TestApiKeys.nextKeyId(), account, scopes))
        .contentType(ContentType.JSON);
  }

  private static Map<String, Object> target(String stream, String url, String key) {
    return Map.of("streamName", stream, "url", url, "key", key, "label", "Partner");
  }

  @Test
  void shouldCreateListAndChangeTargetWithoutShowingTheKey() {
    String id =
        as(account, ALL)
            .body(target("cam1", "rtmp://127.0.0.1:1935/app", "secret-key-123456"))
            .post("/api/restream/targets")
            .then()
            .statusCode(201)
            .body("status", equalTo("success"))
            .body("data.streamName", equalTo("cam1"))
            .body("data.url", equalTo("rtmp://127.0.0.1:1935/app"))
            .body("data.keyHint", equalTo("****3456"))
            .body("data.enabled", equalTo(true))
            .body(not(containsString("secret-key")))
            .extract()
            .path("data.id");
    as(account, Set.of("restream:read"))
        .get("/api/restream/targets?streamName=cam1")
        .then()
        .statusCode(200)
        .body("data.id", hasItem(id))
        .body(not(containsString("secret-key")));
    as(account, ALL)
        .body(Map.of("enabled", false, "label", "Renamed"))
        .patch("/api/restream/targets/" + id)
        .then()
        .statusCode(200)
        .body("data.enabled", equalTo(false))
        .body("data.label", equalTo("Renamed"))
        .body("data.url", equalTo("rtmp://127.0.0.1:1935/app"));
    as(account, ALL).delete("/api/restream/targets/" + id).then().statusCode(200);
    as(account, ALL).get("/api/restream/targets/" + id).then().statusCode(404);
  }

  @Test
  void shouldNameEveryInvalidFieldWhenTargetIsInvalid() {
    as(account, ALL)
        .body(Map.of("url", "http://example.com/live", "key", "abc"))
        .post("/api/restream/targets")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", containsInAnyOrder("streamName", "url", "key"));
    as(account, ALL)
        .body(Map.of("streamName", "cam1", "url", "srt://", "key", "abcdef"))
        .post("/api/restream/targets")
        .then()
        .statusCode(400)
        .body("errors.field", containsInAnyOrder("url"));
    as(account, ALL)
        .body("{\"streamName\": 5, \"url\": [}")
        .post("/api/restream/targets")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
  }

  @Test
  void shouldRefuseTargetsThatResolveToPrivateOrLinkLocalAddresses() {
    for (String url :
        new String[] {
          "rtmp://10.1.2.3/live",
          "rtmp://192.168.1.20:1935/live",
          "rtmps://169.254.169.254/live",
          "srt://[::1]:9000",
          "rtmp://[fd00::1]/live",
          "rtmp://0.0.0.0/live",
          "rtmp://224.0.0.1/live",
          "rtmp://does-not-resolve.invalid/live"
        }) {
      as(account, ALL)
          .body(target("cam1", url, "secret-key-1"))
          .post("/api/restream/targets")
          .then()
          .statusCode(400)
          .body("errors.field", containsInAnyOrder("url"));
    }
  }

  @Test
  void shouldRefuseTargetsBeyondTheConfiguredCap() {
    String stream = "capped";
    for (int i = 0; i < 3; i++) {
      as(account, ALL)
          .body(target(stream, "rtmp://127.0.0.1:1935/app" + i, "secret-key-" + i))
          .post("/api/restream/targets")
          .then()
          .statusCode(201);
    }
    as(account, ALL)
        .body(target(stream, "rtmp://127.0.0.1:1935/app9", "secret-key-9"))
        .post("/api/restream/targets")
        .then()
        .statusCode(400)
        .body("errors.field", containsInAnyOrder("streamName"))
        .body("detail", containsString("at most 3"));
  }

  @Test
  void shouldHideTargetsOfOtherAccounts() {
    String id =
        as(account, ALL)
            .body(target("cam1", "rtmp://127.0.0.1:1935/app", "secret-key-1"))
            .post("/api/restream/targets")
            .then()
            .statusCode(201)
            .extract()
            .path("data.id");
    String other = "other-" + UUID.randomUUID().toString().substring(0, 8);
    as(other, ALL).get("/api/restream/targets/" + id).then().statusCode(404);
    as(other, ALL)
        .body(Map.of("enabled", false))
        .patch("/api/restream/targets/" + id)
        .then()
        .statusCode(404);
    as(other, ALL).delete("/api/restream/targets/" + id).then().statusCode(404);
    as(other, ALL).get("/api/restream/targets").then().statusCode(200).body("data", hasSize(0));
    as(account, ALL).get("/api/restream/targets/" + id).then().statusCode(200);
  }

  @Test
  void shouldRequireKeyAndScope() {
    given()
        .contentType(ContentType.JSON)
        .body(target("cam1", "rtmp://127.0.0.1:1935/app", "secret-key-1"))
        .post("/api/restream/targets")
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
    as(account, Set.of("restream:read"))
        .body(target("cam1", "rtmp://127.0.0.1:1935/app", "secret-key-1"))
        .post("/api/restream/targets")
        .then()
        .statusCode(403);
    as(account, Set.of("restream:write")).get("/api/restream/jobs").then().statusCode(403);
  }

  @Test
  void shouldAnswerNotLiveWhenSyncingAStreamThatIsNotLive() {
    as(account, ALL)
        .body(Map.of("streamName", "nobody-home"))
        .post("/api/restream/sync")
        .then()
        .statusCode(404)
        .body("type", containsString("stream-not-live"));
    as(account, ALL)
        .body(Map.of())
        .post("/api/restream/sync")
        .then()
        .statusCode(400)
        .body("errors.field", containsInAnyOrder("streamName"));
  }
}
