package io.beamline.devstack.test;

import io.beamline.devstack.KafkaBroker;
import io.beamline.devstack.MediaNode;
import io.beamline.devstack.Ports;
import io.beamline.devstack.Postgres;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real media plane for the tests of services downstream of it (recording, syndication):
 * token-service and stream-service from their packaged jars plus an nginx-rtmp node, on ephemeral
 * loopback ports against {@link BeamlineInfraResource}'s Kafka and PostgreSQL; one per test JVM,
 * stopped when the JVM exits.
 */
public final class MediaStack {

  /** The issuer of the API keys token-service signs. */
  public static final String ISSUER = "https://beamline.local";

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  private static MediaStack running;

  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private String tokenServiceUrl;
  private String streamServiceUrl;
  private MediaNode mediaNode;
  private final String mediaJwtSecret = randomKey();

  private MediaStack(Path dir) {
    this.dir = dir;
  }

  /**
   * Starts the stack on first call (Kafka and PostgreSQL from {@link BeamlineInfraResource}, which
   * must have started) and returns it; later calls return the same one.
   */
  public static synchronized MediaStack start() {
    if (running == null) {
      MediaStack stack = new MediaStack(Path.of("target/media-stack").toAbsolutePath());
      Runtime.getRuntime().addShutdownHook(new Thread(stack::stop, "media-stack-stop"));
      try {
        stack.boot();
      } catch (RuntimeException e) {
        stack.stop();
        throw e;
      }
      running = stack;
    }
    return running;
  }

  public String tokenServiceUrl() {
    return tokenServiceUrl;
  }

  public String streamServiceUrl() {
    return streamServiceUrl;
  }

  /** token-service's JWKS, which verifies every API key. */
  public String jwksUrl() {
    return tokenServiceUrl + "/.well-known/jwks.json";
  }

  public String issuer() {
    return ISSUER;
  }

  /** The media node: publishers and players connect to {@link MediaNode#rtmpUrl()}. */
  public MediaNode mediaNode() {
    return mediaNode;
  }

  /** The bootstrap API key of the {@code operator} account (every account scope). */
  public String operatorKey() {
    return read(dir.resolve("bootstrap-api-key.txt"));
  }

  /** The file holding the {@code platform:internal} key token-service wrote at bootstrap. */
  public Path internalKeyFile() {
    return dir.resolve("internal-api-key.txt");
  }

  /** The {@code platform:internal} key itself. */
  public String internalKey() {
    return read(internalKeyFile());
  }

  /** The media JWT key of its stream-service, which every further instance must share. */
  public String mediaJwtSecret() {
    return mediaJwtSecret;
  }

  private void boot() {
    Postgres postgres = BeamlineInfraResource.postgres();
    KafkaBroker kafka = BeamlineInfraResource.kafka();
    if (postgres == null || kafka == null) {
      throw new IllegalStateException("start BeamlineInfraResource before the MediaStack");
    }
    Path repo = repositoryRoot();
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(dir.resolve("bootstrap-api-key.txt"));
      Files.deleteIfExists(internalKeyFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    postgres.createDatabaseIfMissing("token");
    postgres.createDatabaseIfMissing("stream");

    int tokenPort = Ports.freePort();
    tokenServiceUrl = "http://127.0.0.1:" + tokenPort;
    Map<String, String> tokenEnv = commonEnv(postgres, kafka, "token", tokenPort);
    tokenEnv.put("BEAMLINE_SECRETS_MASTER_KEY", randomKey());
    tokenEnv.put("BEAMLINE_BOOTSTRAP_ACCOUNT_NAME", "operator");
    tokenEnv.put(
        "BEAMLINE_BOOTSTRAP_API_KEY_FILE", dir.resolve("bootstrap-api-key.txt").toString());
    tokenEnv.put("BEAMLINE_BOOTSTRAP_INTERNAL_KEY_FILE", internalKeyFile().toString());
    Process token = launch("token-service", repo, tokenEnv);
    awaitReady("token-service", token, tokenServiceUrl, internalKeyFile());

    int streamPort = Ports.freePort();
    streamServiceUrl = "http://127.0.0.1:" + streamPort;
    int trafficLogPort = Ports.freePort(); // UDP; free for TCP is free enough for a test
    mediaNode =
        MediaNode.builder()
            .callbackUrl(streamServiceUrl)
            .trafficLog(Ports.LOOPBACK + ":" + trafficLogPort)
            .dataDir(dir.resolve("media-node"))
            .logFile(dir.resolve("media-node.log"))
            .build();
    mediaNode.start();
    Map<String, String> streamEnv = commonEnv(postgres, kafka, "stream", streamPort);
    streamEnv.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", jwksUrl());
    streamEnv.put("BEAMLINE_STREAM_TOKEN_SERVICE_URL", tokenServiceUrl);
    streamEnv.put("BEAMLINE_STREAM_TOKEN_SERVICE_INTERNAL_KEY_FILE", internalKeyFile().toString());
    streamEnv.put("BEAMLINE_STREAM_MEDIA_JWT_SECRET", mediaJwtSecret);
    streamEnv.put("BEAMLINE_STREAM_MEDIA_NODE_RTMP_URL", mediaNode.rtmpUrl());
    streamEnv.put("BEAMLINE_STREAM_MEDIA_NODE_HLS_URL", mediaNode.httpUrl());
    streamEnv.put("BEAMLINE_STREAM_MEDIA_NODE_CONTROL_URL", mediaNode.controlUrl());
    streamEnv.put("BEAMLINE_STREAM_MEDIA_NODE_CALLBACK_KEY", mediaNode.callbackKey());
    streamEnv.put("BEAMLINE_STREAM_MEDIA_NODE_TRAFFIC_LOG_PORT", Integer.toString(trafficLogPort));
    streamEnv.put("BEAMLINE_STREAM_MEDIA_NODE_TRAFFIC_LOG_HOST", Ports.LOOPBACK);
    streamEnv.put("BEAMLINE_STREAM_STAT_INTERVAL", "1s");
    Process stream = launch("stream-service", repo, streamEnv);
    awaitReady("stream-service", stream, streamServiceUrl, null);
  }

  private Map<String, String> commonEnv(
      Postgres postgres, KafkaBroker kafka, String database, int port) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
    env.put("QUARKUS_HTTP_HOST", Ports.LOOPBACK);
    env.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl(database));
    env.put("QUARKUS_DATASOURCE_USERNAME", postgres.user());
    env.put("QUARKUS_DATASOURCE_PASSWORD", postgres.password());
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("BEAMLINE_OUTBOX_POLL_INTERVAL", "100ms");
    return env;
  }

  private Process launch(String module, Path repo, Map<String, String> env) {
    Path jar = repo.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: build it first (./mvnw -pl " + module + " install -DskipTests)");
    }
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-jar",
            jar.toString());
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.environment().putAll(env);
    builder.redirectErrorStream(true);
    builder.redirectOutput(dir.resolve(module + ".log").toFile());
    try {
      Process process = builder.start();
      processes.add(process);
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + module, e);
    }
  }

  /** Waits for {@code /q/health/ready} (and a file the service writes at startup, if given). */
  private void awaitReady(String module, Process process, String url, Path fileWritten) {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            module
                + " exited with "
                + process.exitValue()
                + "; see "
                + dir.resolve(module + ".log"));
      }
      try {
        HttpResponse<Void> response =
            http.send(
                HttpRequest.newBuilder(URI.create(url + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200
            && (fileWritten == null || Files.isRegularFile(fileWritten))) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      try {
        process.waitFor(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException(
        module + " not ready within " + READY_TIMEOUT + "; see " + dir.resolve(module + ".log"));
  }

  private synchronized void stop() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process process = processes.get(i);
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
    processes.clear();
    if (mediaNode != null) {
      mediaNode.close();
      mediaNode = null;
    }
  }

  /** The checkout's root: the first directory upwards holding stream-service's pom. */
  private static Path repositoryRoot() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("stream-service/pom.xml"))) {
        return p;
      }
    }
    throw new IllegalStateException("no Beamline checkout above " + here);
  }

  private static String randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
