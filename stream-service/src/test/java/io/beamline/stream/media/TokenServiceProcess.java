package io.beamline.stream.media;

import static org.awaitility.Awaitility.await;

import io.beamline.devstack.KafkaBroker;
import io.beamline.devstack.Ports;
import io.beamline.devstack.Postgres;
import io.beamline.devstack.test.BeamlineInfraResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Runs the real token-service (its packaged jar, built earlier in the reactor) as a child process
 * on an ephemeral port against the test's Kafka and PostgreSQL, and points stream-service at it:
 * its JWKS for API keys, its {@code /internal/authorize} with the internal key it bootstraps.
 */
public class TokenServiceProcess implements QuarkusTestResourceLifecycleManager {

  private static Process process;
  private static String url;
  private static Path dir;

  /** token-service's base URL. */
  public static String url() {
    return url;
  }

  /** The operator account's bootstrap API key (every account scope). */
  public static String operatorKey() {
    try {
      return Files.readString(dir.resolve("bootstrap-api-key.txt")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The {@code platform:internal} key token-service wrote at bootstrap. */
  public static String internalKey() {
    try {
      return Files.readString(dir.resolve("internal-api-key.txt")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Map<String, String> start() {
    Path jar = Path.of("../token-service/target/quarkus-app/quarkus-run.jar").toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar.normalize()
              + " is missing: build token-service first (./mvnw -pl token-service package)");
    }
    Postgres postgres = BeamlineInfraResource.postgres();
    KafkaBroker kafka = BeamlineInfraResource.kafka();
    postgres.createDatabaseIfMissing("token");
    int port = Ports.freePort();
    url = "http://127.0.0.1:" + port;
    dir = Path.of("target/token-service-process").toAbsolutePath();
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(dir.resolve("bootstrap-api-key.txt"));
      Files.deleteIfExists(dir.resolve("internal-api-key.txt"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] masterKey = new byte[32];
    new SecureRandom().nextBytes(masterKey);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", jar.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    Map<String, String> env = builder.environment();
    env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
    env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
    env.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl("token"));
    env.put("QUARKUS_DATASOURCE_USERNAME", postgres.user());
    env.put("QUARKUS_DATASOURCE_PASSWORD", postgres.password());
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("BEAMLINE_SECRETS_MASTER_KEY", Base64.getEncoder().encodeToString(masterKey));
    env.put("BEAMLINE_BOOTSTRAP_ACCOUNT_NAME", "operator");
    env.put("BEAMLINE_BOOTSTRAP_API_KEY_FILE", dir.resolve("bootstrap-api-key.txt").toString());
    env.put("BEAMLINE_BOOTSTRAP_INTERNAL_KEY_FILE", dir.resolve("internal-api-key.txt").toString());
    env.put("BEAMLINE_OUTBOX_POLL_INTERVAL", "100ms");
    builder.redirectErrorStream(true);
    builder.redirectOutput(dir.resolve("token-service.log").toFile());
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start token-service", e);
    }
    awaitReady();
    return Map.of(
        "beamline.stream.token-service.url",
        url,
        "beamline.stream.token-service.internal-key-file",
        dir.resolve("internal-api-key.txt").toString(),
        // Real API keys: signed by this token-service, verified against its JWKS.
        "mp.jwt.verify.publickey.location",
        url + "/.well-known/jwks.json",
        "mp.jwt.verify.issuer",
        "https://beamline.local");
  }

  private static void awaitReady() {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    await("token-service ready; see " + dir)
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException(
                    "token-service exited with " + process.exitValue() + "; see " + dir);
              }
              try {
                HttpResponse<Void> response =
                    http.send(
                        HttpRequest.newBuilder(URI.create(url + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                return response.statusCode() == 200
                    && Files.isRegularFile(dir.resolve("internal-api-key.txt"));
              } catch (IOException e) {
                return false; // not listening yet
              }
            });
  }

  @Override
  public void stop() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
      process = null;
    }
  }
}
