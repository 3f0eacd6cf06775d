package io.beamline.token;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.events.CloudEventHeaders;
import io.beamline.events.EventJson;
import io.beamline.events.EventSamples;
import io.beamline.events.Topics;
import io.beamline.events.token.TokenKind;
import io.beamline.events.token.TokenRevokedEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The API-key lifecycle through the REST API, verified the way every service verifies keys. */
@QuarkusTest
class ApiKeysTest {

  private static final ObjectMapper JSON = EventJson.newObjectMapper();
  private static String operatorKey;

  @BeforeAll
  static void readBootstrapKey() {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Files.exists(Path.of("target/test-data/bootstrap-api-key.txt")));
    operatorKey = read(Path.of("target/test-data/bootstrap-api-key.txt"));
  }

  @Test
  void shouldListBootstrapKeyWithTheKeyItself() {
    long id = keyId(operatorKey);
    given()
        .auth()
        .oauth2(operatorKey)
        .get("/api/keys")
        .then()
        .statusCode(200)
        .body("items.id", hasItem((int) id))
        .body("items.find { it.id == " + id + " }.scopes", hasItems("keys:read", "platform:admin"));
  }

  @Test
  void shouldRefuseTamperedKeyWithProblem() {
    String[] parts = operatorKey.split("\\.");
    String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    String forged =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                claims.replace("keys:read", "keys:all").getBytes(StandardCharsets.UTF_8));
    given()
        .auth()
        .oauth2(parts[0] + "." + forged + "." + parts[2])
        .get("/api/keys")
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .body("status", equalTo(401))
        .body("items", equalTo(null));
  }

  @Test
  void shouldRefuseAlgNoneAndGarbage() {
    String unsigned = operatorKey.substring(0, operatorKey.lastIndexOf('.') + 1);
    String noneHeader =
        Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes());
    String algNone = noneHeader + unsigned.substring(unsigned.indexOf('.'));
    given().auth().oauth2(algNone).get("/api/keys").then().statusCode(401);
    given().auth().oauth2("not-a-jwt").get("/api/keys").then().statusCode(401);
    given().get("/api/keys").then().statusCode(401).contentType("application/problem+json");
  }

  @Test
  void shouldCreateScopedKeyThatWorksAndCannotEscalate() {
    String key = createKey(operatorKey, "reader", List.of("keys:read", "keys:write"));
    given()
        .auth()
        .oauth2(key)
        .get("/api/keys/" + keyId(key))
        .then()
        .statusCode(200)
        .body("label", equalTo("reader"))
        .body("active", equalTo(true))
        .body("key", equalTo(null));
    // A key cannot grant a scope it does not hold.
    given()
        .auth()
        .oauth2(key)
        .contentType("application/json")
        .body(Map.of("label", "escalate", "scopes", List.of("tokens:write")))
        .post("/api/keys")
        .then()
        .statusCode(403)
        .contentType("application/problem+json")
        .body("reason", equalTo("scope_not_held"));
  }

  @Test
  void shouldRefuseOperationWithoutItsScope() {
    String readOnly = createKey(operatorKey, "read only", List.of("keys:read"));
    given().auth().oauth2(readOnly).get("/api/keys").then().statusCode(200);
    given()
        .auth()
        .oauth2(readOnly)
        .contentType("application/json")
        .body(Map.of("label", "x", "scopes", List.of("keys:read")))
        .post("/api/keys")
        .then()
        .statusCode(403)
        .contentType("application/problem+json")
        .body("reason", equalTo("missing_scope"));
    given()
        .auth()
        .oauth2(readOnly)
        .contentType("application/json")
        .body(Map.of("name", "sneaky"))
        .post("/api/accounts")
        .then()
        .statusCode(403);
  }

  @Test
  void shouldNameInvalidFields() {
    given()
        .auth()
        .oauth2(operatorKey)
        .contentType("application/json")
        .body(Map.of("label", "", "scopes", List.of()))
        .post("/api/keys")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItems("label", "scopes"));
    given()
        .auth()
        .oauth2(operatorKey)
        .contentType("application/json")
        .body(Map.of("label", "x", "scopes", List.of("keys:fly")))
        .post("/api/keys")
        .then()
        .statusCode(400)
        .body("reason", equalTo("unknown_scope"))
        .body("detail", containsString("keys:fly"));
    given()
        .auth()
        .oauth2(operatorKey)
        .queryParam("itemsOnPage", 101)
        .get("/api/keys")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("itemsOnPage"));
    given()
        .auth()
        .oauth2(operatorKey)
        .contentType("application/json")
        .body("{\"label\":\"x\",\"scopes\":[\"keys:read\"],\"expiresOn\":\"tomorrow\"}")
        .post("/api/keys")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("expiresOn"));
    given().auth().oauth2(operatorKey).get("/api/keys/abc").then().statusCode(404);
  }

  @Test
  void shouldKeepAccountsApart() {
    Response created =
        given()
            .auth()
            .oauth2(operatorKey)
            .contentType("application/json")
            .body(Map.of("name", "tenant-b"))
            .post("/api/accounts");
    created.then().statusCode(201).body("apiKey.apiKey.scopes", not(hasItem("platform:admin")));
    String tenantKey = created.path("apiKey.key");
    long operatorKeyId = keyId(operatorKey);

    given()
        .auth()
        .oauth2(tenantKey)
        .get("/api/keys/" + operatorKeyId)
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    given().auth().oauth2(tenantKey).delete("/api/keys/" + operatorKeyId).then().statusCode(404);
    given()
        .auth()
        .oauth2(tenantKey)
        .post("/api/keys/" + operatorKeyId + "/rotate")
        .then()
        .statusCode(404);
    given()
        .auth()
        .oauth2(tenantKey)
        .get("/api/keys")
        .then()
        .statusCode(200)
        .body("totalItems", equalTo(1))
        .body("items.id", not(hasItem((int) operatorKeyId)));
    given()
        .auth()
        .oauth2(tenantKey)
        .get("/api/accounts/me")
        .then()
        .statusCode(200)
        .body("name", equalTo("tenant-b"));
    given().auth().oauth2(operatorKey).get("/api/keys/" + keyId(tenantKey)).then().statusCode(404);
    // The operator key still works: the tenant's attempts changed nothing.
    given()
        .auth()
        .oauth2(operatorKey)
        .get("/api/keys/" + operatorKeyId)
        .then()
        .statusCode(200)
        .body("active", equalTo(true));
  }

  @Test
  void shouldRefuseRevokedKeyAndAnnounceIt() throws Exception {
    String key = createKey(operatorKey, "to revoke", List.of("keys:read"));
    long id = keyId(key);
    given().auth().oauth2(key).get("/api/keys").then().statusCode(200);

    given()
        .auth()
        .oauth2(operatorKey)
        .delete("/api/keys/" + id)
        .then()
        .statusCode(200)
        .body("active", equalTo(false))
        .body("revokeReason", equalTo("revoked"));

    given()
        .auth()
        .oauth2(key)
        .get("/api/keys")
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .body("detail", containsString("revoked"));

    ConsumerRecord<String, String> record =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> findRevocation(id), Optional::isPresent)
            .get();
    TokenRevokedEvent event = JSON.readValue(record.value(), TokenRevokedEvent.class);
    assertEquals(TokenKind.API_KEY, event.tokenKind());
    assertEquals("revoked", event.reason());
    assertEquals(event.eventId().toString(), header(record, CloudEventHeaders.ID));
    assertEquals("io.beamline.token-revoked", header(record, CloudEventHeaders.TYPE));
    assertEquals("/beamline/token-service", header(record, CloudEventHeaders.SOURCE));
    assertEquals(event.accountId(), record.key());
    // The producer writes the contract's shape: the same fields as the golden sample.
    assertEquals(
        fieldNames(JSON.readTree(EventSamples.load(Topics.TOKEN_REVOKED))),
        fieldNames(JSON.readTree(record.value())));
  }

  @Test
  void shouldRotateKeyIntoNewOneWithSameScopes() {
    String old = createKey(operatorKey, "rotating", List.of("keys:read", "keys:write"));
    Response rotated =
        given().auth().oauth2(operatorKey).post("/api/keys/" + keyId(old) + "/rotate");
    rotated.then().statusCode(200).body("apiKey.scopes", hasItems("keys:read", "keys:write"));
    String fresh = rotated.path("key");
    given().auth().oauth2(fresh).get("/api/keys").then().statusCode(200);
    given().auth().oauth2(old).get("/api/keys").then().statusCode(401);
    given()
        .auth()
        .oauth2(operatorKey)
        .get("/api/keys/" + keyId(old))
        .then()
        .body("revokeReason", equalTo("rotated"))
        .body("replacedBy", equalTo((int) keyId(fresh)));
  }

  @Test
  void shouldKeepOldKeysValidAcrossSigningKeyRotation() {
    String before = createKey(operatorKey, "before rotation", List.of("keys:read"));
    String newKid =
        given()
            .auth()
            .oauth2(operatorKey)
            .post("/api/signing-keys/rotate")
            .then()
            .statusCode(200)
            .extract()
            .path("kid");
    String after = createKey(operatorKey, "after rotation", List.of("keys:read"));

    assertNotEquals(kid(before), kid(after));
    assertEquals(newKid, kid(after));
    given()
        .get("/.well-known/jwks.json")
        .then()
        .statusCode(200)
        .body("keys.kid", hasItems(kid(before), kid(after)))
        .body("keys[0].d", equalTo(null));
    given().auth().oauth2(before).get("/api/keys").then().statusCode(200);
    given().auth().oauth2(after).get("/api/keys").then().statusCode(200);
  }

  @Test
  void shouldRefuseExpiredKey() {
    String shortLived =
        given()
            .auth()
            .oauth2(operatorKey)
            .contentType("application/json")
            .body(
                Map.of(
                    "label", "short",
                    "scopes", List.of("keys:read"),
                    "expiresOn", Instant.now().plusSeconds(2).toString()))
            .post("/api/keys")
            .then()
            .statusCode(201)
            .extract()
            .path("key");
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> given().auth().oauth2(shortLived).get("/api/keys").then().statusCode(401));
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
        .contentType("application/json")
        .extract()
        .path("key");
  }

  static long keyId(String jwt) {
    return Long.parseLong(part(jwt, 1).get("jti").asText());
  }

  private static String kid(String jwt) {
    return part(jwt, 0).get("kid").asText();
  }

  private static JsonNode part(String jwt, int index) {
    try {
      return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[index]));
    } catch (Exception e) {
      throw new AssertionError("not a JWT: " + jwt, e);
    }
  }

  private static java.util.Set<String> fieldNames(JsonNode node) {
    java.util.Set<String> names = new java.util.TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).trim();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String header(ConsumerRecord<String, String> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private static Optional<ConsumerRecord<String, String>> findRevocation(long keyId) {
    try {
      return BeamlineInfraResource.kafka()
          .readTopic(Topics.TOKEN_REVOKED, Duration.ofSeconds(10))
          .stream()
          .filter(r -> r.value().contains("\"tokenId\":" + keyId + ","))
          .findFirst();
    } catch (RuntimeException e) {
      // The topic may not exist yet right after start: try again on the next poll.
      return Optional.empty();
    }
  }
}
