package io.beamline.devstack.test;

import io.beamline.devstack.DevstackException;
import io.beamline.devstack.KafkaBroker;
import io.beamline.devstack.Postgres;
import io.beamline.devstack.S3Store;
import io.beamline.events.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Quarkus test resource giving a test real Kafka, PostgreSQL and S3Proxy on ephemeral loopback
 * ports: one shared set per test JVM, started on first use and stopped when the JVM exits.
 *
 * <p>Init args: {@code database} (default {@code app}) is created and becomes the datasource;
 * {@code bucket} (default {@code recordings}) is created. Every contract topic of {@link Topics} is
 * created with its partition count.
 */
public class BeamlineInfraResource implements QuarkusTestResourceLifecycleManager {

  /** Init arg naming the database to create and connect to. */
  public static final String DATABASE = "database";

  /** Init arg naming the bucket to create. */
  public static final String BUCKET = "bucket";

  private static final Object LOCK = new Object();
  private static KafkaBroker kafka;
  private static Postgres postgres;
  private static S3Store s3;

  private String database = "app";
  private String bucket = "recordings";

  @Override
  public void init(Map<String, String> initArgs) {
    database = initArgs.getOrDefault(DATABASE, database);
    bucket = initArgs.getOrDefault(BUCKET, bucket);
  }

  @Override
  public Map<String, String> start() {
    ensureRunning();
    postgres.createDatabaseIfMissing(database);
    s3.createBucketIfMissing(bucket);
    Map<String, String> config = new LinkedHashMap<>();
    config.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl(database));
    config.put("quarkus.datasource.username", postgres.user());
    config.put("quarkus.datasource.password", postgres.password());
    config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    config.put("beamline.s3.endpoint", s3.endpoint());
    config.put("beamline.s3.access-key", s3.accessKey());
    config.put("beamline.s3.secret-key", s3.secretKey());
    config.put("beamline.s3.bucket", bucket);
    return config;
  }

  @Override
  public void stop() {
    // Shared by every test class and profile of this JVM; a shutdown hook stops it at exit.
  }

  /** The shared broker, started if needed; tests may {@code kill()} and {@code start()} it. */
  public static KafkaBroker kafka() {
    ensureStarted();
    return kafka;
  }

  /** The shared PostgreSQL server, started if needed. */
  public static Postgres postgres() {
    ensureStarted();
    return postgres;
  }

  /** The shared S3Proxy, started if needed. */
  public static S3Store s3() {
    ensureStarted();
    return s3;
  }

  /** Creates and starts the shared set on first use; later calls leave it as it is. */
  private static void ensureStarted() {
    synchronized (LOCK) {
      if (kafka == null) {
        Path base = baseDirectory();
        kafka = KafkaBroker.builder().logFile(base.resolve("kafka.log")).build();
        postgres = Postgres.embedded().logFile(base.resolve("postgres.log")).build();
        s3 = S3Store.builder().logFile(base.resolve("s3proxy.log")).build();
        System.err.printf(
            "[beamline-infra] starting Kafka %s, PostgreSQL %s, S3Proxy %s (logs in %s)%n",
            kafka.bootstrapServers(), postgres.address(), s3.endpoint(), base);
        startAll();
        Map<String, Integer> topics = new LinkedHashMap<>();
        Topics.ALL.forEach(topic -> topics.put(topic, Topics.partitions(topic)));
        kafka.createTopics(topics);
      }
    }
  }

  /** Also starts again whatever a previous test stopped or killed on purpose. */
  private static void ensureRunning() {
    synchronized (LOCK) {
      ensureStarted();
      if (!kafka.isRunning() || !postgres.isRunning() || !s3.isRunning()) {
        startAll();
      }
    }
  }

  private static void startAll() {
    // In parallel: the broker takes a few seconds, the others about one. start() is a no-op on a
    // running component.
    CompletableFuture<?> k = CompletableFuture.runAsync(kafka::start);
    CompletableFuture<?> p = CompletableFuture.runAsync(postgres::start);
    CompletableFuture<?> s = CompletableFuture.runAsync(s3::start);
    try {
      CompletableFuture.allOf(k, p, s).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new DevstackException("cannot start the test infrastructure", e);
    }
  }

  /** {@code target/beamline-infra/<pid>} of the module under test, else a temporary directory. */
  private static Path baseDirectory() {
    Path target = Path.of("target");
    Path base =
        Files.isDirectory(target)
            ? target.resolve("beamline-infra").resolve(Long.toString(ProcessHandle.current().pid()))
            : Path.of(
                System.getProperty("java.io.tmpdir"),
                "beamline-infra-" + ProcessHandle.current().pid());
    try {
      return Files.createDirectories(base).toAbsolutePath();
    } catch (java.io.IOException e) {
      throw new DevstackException("cannot create " + base + ": " + e.getMessage(), e);
    }
  }
}
