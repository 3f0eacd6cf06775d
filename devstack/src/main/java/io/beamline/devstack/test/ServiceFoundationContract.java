package io.beamline.devstack.test;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What every Beamline service offers before its domain exists: health, metrics, OpenAPI, API-key
 * verification with revocation, problem+json errors and its migrated database.
 *
 * <p>A service test extends it with a no-argument constructor naming the service, and is annotated
 * {@code @QuarkusTest}. It needs the module's {@link BeamlineInfraResource} (with the same {@code
 * database} init arg) and the test key configuration that {@link TestApiKeys} describes. No Quarkus
 * injection here: the database is read over plain JDBC, so the class works from this jar.
 */
public abstract class ServiceFoundationContract {

  private static final String WHOAMI = "/api/auth/whoami";

  private static final List<String> PLATFORM_READINESS_CHECKS =
      List.of(
          "Database connections health check",
          "Kafka connection health check",
          "api-key-revocations");

  private static final List<String> PLATFORM_TABLES = List.of("outbox_event", "processed_event");

  private static final List<String> PLATFORM_MIGRATIONS =
      List.of("0.1 db/platform/V0_1__outbox.sql", "0.2 db/platform/V0_2__processed_event.sql");

  private final String serviceName;
  private final String database;
  private final Set<String> scopes;

  /**
   * @param serviceName the service's application name; its OpenAPI title is {@code Beamline
   *     <serviceName>}
   * @param database the service's database, as passed to {@link BeamlineInfraResource}
   * @param scopes the scopes of the test API keys, all of which whoami must report
   */
  protected ServiceFoundationContract(String serviceName, String database, Set<String> scopes) {
    this.serviceName = serviceName;
    this.database = database;
    this.scopes = Set.copyOf(scopes);
  }

  /**
   * The service's own Flyway migrations after the platform's, in order, as {@code "<version>
   * <script>"}; by default only {@code V1__<database>_baseline.sql}.
   */
  protected List<String> serviceMigrations() {
    return List.of("1 db/migration/V1__" + database + "_baseline.sql");
  }

  /** Readiness checks the service adds to the platform's, all expected UP. */
  protected List<String> extraReadinessChecks() {
    return List.of();
  }

  /** The account the test API keys belong to. */
  protected String account() {
    return "acc_" + database + "_test";
  }

  /** A valid API key of {@link #account()} with the scopes given to the constructor. */
  protected String apiKey(long keyId) {
    return TestApiKeys.apiKey(keyId, account(), scopes);
  }

  @Test
  public void shouldReportReadyWhenDatabaseKafkaAndRevocationsAreUp() {
    String[] checks =
        Stream.concat(PLATFORM_READINESS_CHECKS.stream(), extraReadinessChecks().stream())
            .toArray(String[]::new);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .get("/q/health/ready")
                    .then()
                    .statusCode(200)
                    .body("status", equalTo("UP"))
                    .body("checks.name", hasItems(checks))
                    .body("checks.status", hasItems("UP")));
    List<String> statuses = given().get("/q/health/ready").jsonPath().getList("checks.status");
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    assertTrue(statuses.stream().allMatch("UP"::equals), "every readiness check UP: " + statuses);
  }

  @Test
  public void shouldExposePrometheusMetricsWhenScraped() {
    // At least one application request, so the HTTP server timer exists whatever the test order.
    given().get(WHOAMI).then().statusCode(401);
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
  public void shouldServeOpenApiAndSwaggerUiWhenAsked() {
    given()
        .queryParam("format", "json")
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body("info.title", equalTo("Beamline " + serviceName))
        .body("paths", hasKey(WHOAMI));
    given().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
  }

  @Test
  public void shouldReturnCallerWhenApiKeyIsValid() {
    long keyId = TestApiKeys.nextKeyId();
    given()
        .auth()
        .oauth2(apiKey(keyId))
        .get(WHOAMI)
        .then()
        .statusCode(200)
        .body("accountId", equalTo(account()))
        .body("keyId", equalTo(Long.toString(keyId)))
        .body("scopes", hasItems(scopes.toArray(String[]::new)));
  }

  @Test
  public void shouldRefuseWithProblemWhenApiKeyIsTampered() {
    String tampered =
        TestApiKeys.withClaimsReplaced(
            apiKey(TestApiKeys.nextKeyId()), account(), "acc_someone_else");
    given()
        .auth()
        .oauth2(tampered)
        .get(WHOAMI)
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .body("status", equalTo(401))
        .body("accountId", equalTo(null));
  }

  @Test
  public void shouldRefuseWithProblemWhenApiKeyIsMissing() {
    given()
        .get(WHOAMI)
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .body("status", equalTo(401))
        .body("title", equalTo("Unauthorized"));
  }

  @Test
  public void shouldRefuseWithinSecondsWhenApiKeyIsRevoked() {
    long keyId = TestApiKeys.nextKeyId();
    String key = apiKey(keyId);
    given().auth().oauth2(key).get(WHOAMI).then().statusCode(200);

    TestApiKeys.publishRevocation(account(), keyId);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(key)
                    .get(WHOAMI)
                    .then()
                    .statusCode(401)
                    .contentType("application/problem+json")
                    .body("detail", containsString("revoked")));
  }

  @Test
  public void shouldAnswerNotFoundProblemWhenApiPathIsUnknown() {
    given()
        .auth()
        .oauth2(apiKey(TestApiKeys.nextKeyId()))
        .get("/api/no-such-resource")
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("status", equalTo(404));
  }

  @Test
  public void shouldHaveMigratedPlatformTablesWhenStarted() throws SQLException {
    try (Connection connection = BeamlineInfraResource.postgres().connect(database);
        Statement statement = connection.createStatement()) {
      List<String> tables =
          rows(
              statement,
              "select table_name from information_schema.tables"
                  + " where table_schema = 'public' order by table_name",
              rs -> rs.getString(1));
      assertTrue(tables.containsAll(PLATFORM_TABLES), "platform tables: " + tables);
      List<String> migrations =
          rows(
              statement,
              "select version, script, success from flyway_schema_history"
                  + " where version is not null order by installed_rank",
              rs -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getBoolean(3));
      List<String> expected =
          Stream.concat(PLATFORM_MIGRATIONS.stream(), serviceMigrations().stream())
              .map(migration -> migration + " true")
              .toList();
      assertEquals(expected, migrations);
    }
  }

  /** Turns one result row into the text the assertions compare. */
  private interface RowReader {
    String read(ResultSet row) throws SQLException;
  }

  private static List<String> rows(Statement statement, String sql, RowReader reader)
      throws SQLException {
    List<String> rows = new ArrayList<>();
    try (ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        rows.add(reader.read(rs));
      }
    }
    return rows;
  }
}
