package io.beamline.stream;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.events.CloudEventAttributes;
import io.beamline.events.EventJson;
import io.beamline.events.Topics;
import io.beamline.events.token.TokenKind;
import io.beamline.events.token.TokenRevokedEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * What stream-service offers before its domain exists: health, metrics, OpenAPI, API-key
 * verification with revocation, problem+json errors and its migrated database.
 */
@QuarkusTest
class StreamServiceFoundationTest {

  private static final String ISSUER = "https://beamline.test";
  private static final String ACCOUNT = "acc_stream_test";
  private static final AtomicLong KEY_IDS = new AtomicLong(5000);

  @Inject AgroalDataSource dataSource;

  @Test
  void shouldReportReadyWhenDatabaseKafkaAndRevocationsAreUp() {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .get("/q/health/ready")
                    .then()
                    .statusCode(200)
                    .body("status", equalTo("UP"))
                    .body(
                        "checks.name",
                        hasItems(
                            "Database connections health check",
                            "Kafka connection health check",
                            "api-key-revocations"))
                    .body("checks.status", hasItems("UP")));
    List<String> statuses = given().get("/q/health/ready").jsonPath().getList("checks.status");
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    assertTrue(statuses.stream().allMatch("UP"::equals), "every readiness check UP: " + statuses);
  }

  @Test
  void shouldExposePrometheusMetricsWhenScraped() {
    // At least one application request, so the HTTP server timer exists whatever the test order.
    given().get("/api/auth/whoami").then().statusCode(401);
    given()
        .accept("text/plain")
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .contentType(startsWith("text/plain"))
        .body(containsString("jvm_memory_used_bytes"))
        .body(containsString("http_server_requests_seconds_count"));
  }

  @Test
  void shouldServeOpenApiAndSwaggerUiWhenAsked() {
    given()
        .queryParam("format", "json")
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body("info.title", equalTo("Beamline stream-service"))
        .body("paths", hasKey("/api/auth/whoami"));
    given().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
  }

  @Test
  void shouldReturnCallerWhenApiKeyIsValid() {
    long keyId = KEY_IDS.incrementAndGet();
    given()
        .auth()
        .oauth2(apiKey(keyId))
        .get("/api/auth/whoami")
        .then()
        .statusCode(200)
        .body("accountId", equalTo(ACCOUNT))
        .body("keyId", equalTo(Long.toString(keyId)))
        .body("scopes", hasItems("streams:read", "streams:write"));
  }

  @Test
  void shouldRefuseWithProblemWhenApiKeyIsTampered() {
    String[] parts = apiKey(KEY_IDS.incrementAndGet()).split("\\.");
    String claims =
        new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
            .replace(ACCOUNT, "acc_someone_else");
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
        .get("/api/auth/whoami")
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .body("status", equalTo(401))
        .body("accountId", equalTo(null));
  }

  @Test
  void shouldRefuseWithProblemWhenApiKeyIsMissing() {
    given()
        .get("/api/auth/whoami")
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .body("status", equalTo(401))
        .body("title", equalTo("Unauthorized"));
  }

  @Test
  void shouldRefuseWithinSecondsWhenApiKeyIsRevoked() throws Exception {
    long keyId = KEY_IDS.incrementAndGet();
    String key = apiKey(keyId);
    given().auth().oauth2(key).get("/api/auth/whoami").then().statusCode(200);

    publishRevocation(keyId);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(key)
                    .get("/api/auth/whoami")
                    .then()
                    .statusCode(401)
                    .contentType("application/problem+json")
                    .body("detail", containsString("revoked")));
  }

  @Test
  void shouldAnswerNotFoundProblemWhenApiPathIsUnknown() {
    given()
        .auth()
        .oauth2(apiKey(KEY_IDS.incrementAndGet()))
        .get("/api/no-such-resource")
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("status", equalTo(404));
  }

  @Test
  void shouldHaveMigratedPlatformTablesWhenStarted() throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs =
          connection
              .createStatement()
              .executeQuery(
                  "select table_name from information_schema.tables"
                      + " where table_schema = 'public' order by table_name")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      assertTrue(
          tables.containsAll(List.of("outbox_event", "processed_event")),
          "platform tables: " + tables);
      List<String> migrations = new ArrayList<>();
      try (ResultSet rs =
          connection
              .createStatement()
              .executeQuery(
                  "select version, script, success from flyway_schema_history"
                      + " where version is not null order by installed_rank")) {
        while (rs.next()) {
          migrations.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getBoolean(3));
        }
      }
      assertEquals(
          List.of(
              "0.1 db/platform/V0_1__outbox.sql true",
              "0.2 db/platform/V0_2__processed_event.sql true",
              "1 db/migration/V1__stream_baseline.sql true"),
          migrations);
    }
  }

  private static String apiKey(long keyId) {
    return Jwt.issuer(ISSUER)
        .subject(ACCOUNT)
        .claim("jti", Long.toString(keyId))
        .groups(Set.of("streams:read", "streams:write"))
        .issuedAt(Instant.now())
        .expiresAt(Instant.now().plusSeconds(600))
        .jws()
        .keyId("test-key-1")
        .sign();
  }

  private static void publishRevocation(long keyId) throws Exception {
    TokenRevokedEvent event =
        new TokenRevokedEvent(
            UUID.randomUUID(),
            ACCOUNT,
            Instant.now(),
            keyId,
            2,
            TokenKind.API_KEY,
            "test key",
            "deleted",
            Instant.now().plusSeconds(600));
    Properties p = new Properties();
    p.put(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BeamlineInfraResource.kafka().bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      ProducerRecord<String, String> record =
          new ProducerRecord<>(
              Topics.TOKEN_REVOKED, ACCOUNT, EventJson.newObjectMapper().writeValueAsString(event));
      CloudEventAttributes.of(event).toHeaders().forEach((k, v) -> record.headers().add(k, v));
      producer.send(record).get();
    }
  }
}
