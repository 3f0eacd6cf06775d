package io.beamline.systemtests;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.devstack.Ports;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's promise, run as a user would: {@code ./beamline up -d} brings the whole platform up
 * healthy with a bootstrap API key, keys work (and a revoked one stops working) on every service,
 * and {@code ./beamline down} leaves no process behind.
 */
class PlatformUpDownIT {

  private static final List<String> SERVICES =
      List.of("TOKEN", "STREAM", "RECORDING", "ANALYTICS", "SYNDICATION");

  private static Path repo;
  private static Path dataDir;
  private static final Map<String, String> env = new LinkedHashMap<>();
  private static final Map<String, Integer> servicePorts = new LinkedHashMap<>();
  private static String upOutput;

  @BeforeAll
  static void up() throws Exception {
    repo = Path.of(System.getProperty("beamline.repo.dir", "..")).toAbsolutePath().normalize();
    dataDir =
        Path.of("target", "platform-it-" + UUID.randomUUID().toString().substring(0, 8))
            .toAbsolutePath();
    env.put("BEAMLINE_DATA_DIR", dataDir.toString());
    for (String service : SERVICES) {
      int port = Ports.freePort();
      servicePorts.put(service, port);
      env.put("BEAMLINE_" + service + "_PORT", Integer.toString(port));
    }
    env.put("BEAMLINE_KAFKA_PORT", Integer.toString(Ports.freePort()));
    env.put("BEAMLINE_KAFKA_CONTROLLER_PORT", Integer.toString(Ports.freePort()));
    env.put("BEAMLINE_POSTGRES_PORT", Integer.toString(Ports.freePort()));
    env.put("BEAMLINE_S3_PORT", Integer.toString(Ports.freePort()));
    // The media node stream-service drives: ephemeral ports too, never 1935/8086/8087.
    env.put("BEAMLINE_RTMP_PORT", Integer.toString(Ports.freePort()));
    env.put("BEAMLINE_MEDIA_HTTP_PORT", Integer.toString(Ports.freePort()));
    env.put("BEAMLINE_MEDIA_CONTROL_PORT", Integer.toString(Ports.freePort()));
    Result result = beamline(Duration.ofMinutes(6), "up", "-d");
    upOutput = result.output();
    System.err.println(upOutput);
    assertEquals(0, result.exitCode(), "./beamline up -d failed:\n" + upOutput);
  }

  @AfterAll
  static void down() throws Exception {
    if (dataDir != null) {
      beamline(Duration.ofMinutes(2), "down");
    }
  }

  @Test
  void shouldServeEveryServiceWithBootstrapKeyAndStopCleanly() throws Exception {
    String key = Files.readString(dataDir.resolve("bootstrap-api-key.txt")).trim();
    assertTrue(upOutput.contains(key), "up prints the bootstrap API key");
    for (int port : servicePorts.values()) {
      assertTrue(upOutput.contains(":" + port), "up prints the URL of port " + port);
    }

    // The README's curl: the key lists itself and the platform's internal key (issued at the same
    // bootstrap, for the services' calls to /internal/...); a tampered key gets a 401 problem.
    given()
        .baseUri(url("TOKEN"))
        .auth()
        .oauth2(key)
        .get("/api/keys")
        .then()
        .statusCode(200)
        .body("totalItems", equalTo(2))
        .body("items.scopes.flatten()", hasItems("platform:admin", "platform:internal"));
    given()
        .baseUri(url("TOKEN"))
        .auth()
        .oauth2(key + "x")
        .get("/api/keys")
        .then()
        .statusCode(401)
        .contentType("application/problem+json");

    // A second key works on every service, then is refused by every service once revoked.
    String second =
        given()
            .baseUri(url("TOKEN"))
            .auth()
            .oauth2(key)
            .contentType("application/json")
            .body(Map.of("label", "system test", "scopes", List.of("keys:read")))
            .post("/api/keys")
            .then()
            .statusCode(201)
            .extract()
            .path("key");
    long secondId =
        given()
            .baseUri(url("TOKEN"))
            .auth()
            .oauth2(second)
            .get("/api/auth/whoami")
            .then()
            .statusCode(200)
            .extract()
            .<String>path("keyId")
            .transform(Long::parseLong);
    for (String service : SERVICES) {
      given()
          .baseUri(url(service))
          .auth()
          .oauth2(second)
          .get("/api/auth/whoami")
          .then()
          .statusCode(200)
          .body("scopes", hasItem("keys:read"));
      given().baseUri(url(service)).get("/q/health/ready").then().statusCode(200);
    }
    given()
        .baseUri(url("TOKEN"))
        .auth()
        .oauth2(key)
        .delete("/api/keys/" + secondId)
        .then()
        .statusCode(200);
    long revokedAt = System.nanoTime();
    for (String service : SERVICES) {
      await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(
              () ->
                  given()
                      .baseUri(url(service))
                      .auth()
                      .oauth2(second)
                      .get("/api/auth/whoami")
                      .then()
                      .statusCode(401)
                      .contentType("application/problem+json"));
    }
    System.err.printf(
        "[platform-it] revoked key refused by all %d services after %d ms%n",
        SERVICES.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - revokedAt));

    Result status = beamline(Duration.ofMinutes(1), "status");
    assertEquals(0, status.exitCode(), status.output());

    Result down = beamline(Duration.ofMinutes(2), "down");
    assertEquals(0, down.exitCode(), down.output());
    List<String> leftovers =
        ProcessHandle.allProcesses()
            .filter(p -> p.info().commandLine().orElse("").contains(dataDir.toString()))
            .map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
            .toList();
    assertEquals(List.of(), leftovers, "processes left after down");
    for (String service : SERVICES) {
      assertTrue(Ports.isFree(servicePorts.get(service)), service + " port released");
    }
  }

  private static String url(String service) {
    return "http://127.0.0.1:" + servicePorts.get(service);
  }

  private record Result(int exitCode, String output) {}

  private static Result beamline(Duration timeout, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("bash", "./beamline"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(repo.toFile());
    builder.environment().putAll(env);
    builder.redirectErrorStream(true);
    Path output = Files.createTempFile("beamline-" + args[0], ".log");
    builder.redirectOutput(output.toFile());
    builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    Process process = builder.start();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(
          "./beamline "
              + String.join(" ", args)
              + " did not finish in "
              + timeout
              + ":\n"
              + read(output));
    }
    return new Result(process.exitValue(), read(output));
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
