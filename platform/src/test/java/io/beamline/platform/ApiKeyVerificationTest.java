package io.beamline.platform;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.events.CloudEventAttributes;
import io.beamline.events.EventJson;
import io.beamline.events.EventSamples;
import io.beamline.events.EventTypes;
import io.beamline.events.Topics;
import io.beamline.events.token.TokenRevokedEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** API keys are verified locally: signature, expiry, algorithm, scope and revocation. */
@QuarkusTest
class ApiKeyVerificationTest {

  private static final AtomicLong KEY_IDS = new AtomicLong(1000);
  private static final String ISSUER = "https://beamline.test";

  static String apiKey(long keyId, String account, Set<String> scopes, Instant expiresAt) {
    return Jwt.issuer(ISSUER)
        .subject(account)
        .claim("jti", Long.toString(keyId))
        .groups(scopes)
        .issuedAt(Instant.now())
        .expiresAt(expiresAt)
        .jws()
        .keyId("test-key-1")
        .sign();
  }

  static String validKey(long keyId) {
    return apiKey(
        keyId, "acct-1", Set.of("keys:read", "keys:write"), Instant.now().plusSeconds(600));
  }

  @Test
  void shouldAcceptValidKeyAndScopeTheCallerToItsAccount() {
    long keyId = KEY_IDS.incrementAndGet();
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
    String[] parts = validKey(KEY_IDS.incrementAndGet()).split("\\.");
    String claims =
        new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
            .replace("acct-1", "acct-2");
    String tampered =
        parts[0]
            + "."
            + Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(claims.getBytes(StandardCharsets.UTF_8))
            + "."
            + parts[2];
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
        Jwt.issuer(ISSUER)
            .subject("acct-1")
            .claim("jti", "1")
            .groups(Set.of("keys:read"))
            .expiresAt(Instant.now().plusSeconds(600))
            .jws()
            .keyId("test-key-1")
            .sign(generator.generateKeyPair().getPrivate());
    given().auth().oauth2(foreign).get("/test/whoami").then().statusCode(401);
  }

  @Test
  void shouldRefuseExpiredKey() {
    String expired =
        apiKey(
            KEY_IDS.incrementAndGet(),
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
                    + ISSUER
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
        apiKey(
            KEY_IDS.incrementAndGet(),
            "acct-1",
            Set.of("keys:read"),
            Instant.now().plusSeconds(600));
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
  void shouldRefuseRevokedKeyWithinSecondsOfTheEvent() throws Exception {
    long keyId = KEY_IDS.incrementAndGet();
    String key = validKey(keyId);
    given().auth().oauth2(key).get("/test/whoami").then().statusCode(200);

    publishRevocation(keyId);

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
        .oauth2(validKey(KEY_IDS.incrementAndGet()))
        .get("/test/whoami")
        .then()
        .statusCode(200);
  }

  @Test
  void shouldNameInvalidFieldsInValidationProblem() {
    given()
        .auth()
        .oauth2(validKey(KEY_IDS.incrementAndGet()))
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
        .oauth2(validKey(KEY_IDS.incrementAndGet()))
        .contentType("application/json")
        .body("{\"label\":\"x\",\"size\":\"big\"}")
        .post("/test/widgets")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors[0].field", equalTo("size"));
    given()
        .auth()
        .oauth2(validKey(KEY_IDS.incrementAndGet()))
        .contentType("application/json")
        .body("{\"label\":")
        .post("/test/widgets")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("reason", equalTo("invalid_json"));
  }

  /**
   * Publishes a revocation built from the contract's golden sample (not from our own record), so
   * the test proves the listener reads what producers are specified to write.
   */
  private static void publishRevocation(long keyId) throws Exception {
    ObjectNode sample =
        (ObjectNode) EventJson.newObjectMapper().readTree(EventSamples.load(Topics.TOKEN_REVOKED));
    sample.put("eventId", UUID.randomUUID().toString());
    sample.put("accountId", "acct-1");
    sample.put("tokenId", keyId);
    sample.put("tokenKind", "API_KEY");
    sample.put("occurredAt", Instant.now().toString());
    sample.put("expiresAt", Instant.now().plusSeconds(600).toString());
    TokenRevokedEvent event =
        EventJson.newObjectMapper().treeToValue(sample, TokenRevokedEvent.class);
    Properties p = new Properties();
    p.put(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BeamlineInfraResource.kafka().bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      ProducerRecord<String, String> record =
          new ProducerRecord<>(Topics.TOKEN_REVOKED, "acct-1", sample.toString());
      new CloudEventAttributes(
              event.eventId().toString(),
              EventTypes.typeOf(Topics.TOKEN_REVOKED),
              "/beamline/test",
              event.occurredAt(),
              null)
          .toHeaders()
          .forEach((k, v) -> record.headers().add(k, v));
      producer.send(record).get();
    }
  }
}
