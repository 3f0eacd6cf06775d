package io.beamline.platform;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.beamline.devstack.test.TestApiKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** API keys are verified locally: signature, expiry, algorithm, scope and revocation. */
@QuarkusTest
class ApiKeyVerificationTest {

  static String validKey(long keyId) {
    return TestApiKeys.apiKey(keyId, "acct-1", Set.of("keys:read", "keys:write"));
  }

  @Test
  void shouldAcceptValidKeyAndScopeTheCallerToItsAccount() {
    long keyId = TestApiKeys.nextKeyId();
    given()
        .auth()
        .oauth2(validKey(keyId))
        .get("/test/whoami")
        .then()
        .statusCode(200)
        .body("accountId", equalTo("acct-1"))
        .body("keyId", equalTo(Long.toString(keyId)));
  }

  @Test
  void shouldRefuseMissingKeyWithProblem() {
    given()
        .get("/test/whoami")
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .body("status", equalTo(401))
        .body("title", equalTo("Unauthorized"));
  }

  @Test
  void shouldRefuseTamperedSignature() {
    String tampered =
        TestApiKeys.withClaimsReplaced(validKey(TestApiKeys.nextKeyId()), "acct-1", "acct-2");
    given()
        .auth()
        .oauth2(tampered)
        .get("/test/whoami")
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .body("accountId", equalTo(null));
  }

  @Test
  void shouldRefuseKeySignedByAnotherKeyPair() throws Exception {
    var generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    String foreign =
        Jwt.issuer(TestApiKeys.ISSUER)
            .subject("acct-1")
            .claim("jti", "1")
            .groups(Set.of("keys:read"))
            .expiresAt(Instant.now().plusSeconds(600))
            .jws()
            .keyId(TestApiKeys.SIGNING_KEY_ID)
            .sign(generator.generateKeyPair().getPrivate());
    given().auth().oauth2(foreign).get("/test/whoami").then().statusCode(401);
  }

  @Test
  void shouldRefuseExpiredKey() {
    String expired =
        TestApiKeys.apiKey(
            TestApiKeys.nextKeyId(),
            "acct-1",
            Set.of("keys:read"),
            Instant.now().minusSeconds(3600));
    given()
        .auth()
        .oauth2(expired)
        .get("/test/whoami")
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
  }

  @Test
  void shouldRefuseAlgNone() {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header =
        b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String claims =
        b64.encodeToString(
            ("{\"iss\":\""
                    + TestApiKeys.ISSUER
                    + "\",\"sub\":\"acct-1\",\"jti\":\"7\",\"groups\":[\"keys:read\"],\"exp\":"
                    + Instant.now().plusSeconds(600).getEpochSecond()
                    + "}")
                .getBytes(StandardCharsets.UTF_8));
    given()
        .auth()
        .oauth2(header + "." + claims + ".")
        .get("/test/whoami")
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
  }

  @Test
  void shouldRefuseKeyWithoutRequiredScope() {
    String readOnly =
        TestApiKeys.apiKey(
            TestApiKeys.nextKeyId(), "acct-1", Set.of("keys:read"), Instant.now().plusSeconds(600));
    given()
        .auth()
        .oauth2(readOnly)
        .contentType("application/json")
        .body("{\"label\":\"x\",\"size\":2}")
        .post("/test/widgets")
        .then()
        .statusCode(403)
        .contentType("application/problem+json")
        .body("reason", equalTo("missing_scope"));
  }

  @Test
  void shouldRefuseRevokedKeyWithinSecondsOfTheEvent() {
    long keyId = TestApiKeys.nextKeyId();
    String key = validKey(keyId);
    given().auth().oauth2(key).get("/test/whoami").then().statusCode(200);

    TestApiKeys.publishRevocation("acct-1", keyId);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(key)
                    .get("/test/whoami")
                    .then()
                    .statusCode(401)
                    .contentType("application/problem+json")
                    .body("detail", containsString("revoked")));
    // Another key of the same account is unaffected.
    given()
        .auth()
        .oauth2(validKey(TestApiKeys.nextKeyId()))
        .get("/test/whoami")
        .then()
        .statusCode(200);
  }

  @Test
  void shouldNameInvalidFieldsInValidationProblem() {
    given()
        .auth()
        .oauth2(validKey(TestApiKeys.nextKeyId()))
        .contentType("application/json")
        .body("{\"label\":\"\",\"size\":42,\"tags\":[\"ok\",\"too-long\"]}")
        .post("/test/widgets")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("reason", equalTo("validation_failed"))
        .body("errors.field", hasItem("label"))
        .body("errors.field", hasItem("size"))
        .body("errors.field", hasItem("tags[1]"))
        .body("errors.message", not(hasItem(equalTo(null))));
  }

  @Test
  void shouldNameFieldOfWronglyTypedJson() {
    given()
        .auth()
        .oauth2(validKey(TestApiKeys.nextKeyId()))
        .contentType("application/json")
        .body("{\"label\":\"x\",\"size\":\"big\"}")
        .post("/test/widgets")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors[0].field", equalTo("size"));
    given()
        .auth()
        .oauth2(validKey(TestApiKeys.nextKeyId()))
        .contentType("application/json")
        .body("{\"label\":")
        .post("/test/widgets")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("reason", equalTo("invalid_json"));
  }
}
