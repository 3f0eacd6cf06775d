package io.beamline.devstack.test;

import io.beamline.devstack.DevstackException;
import io.beamline.devstack.KafkaBroker;
import io.beamline.devstack.PortInUseException;
import io.beamline.devstack.Postgres;
import io.beamline.devstack.S3Store;
import io.beamline.events.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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

  private static final String PREFIX = "beamline.devstack.infra.";

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

  /**
   * Creates and starts the shared set on first use; later calls leave it as it is.
   *
   * <p>Quarkus loads this class once per test profile (each profile gets its own class loader), so
   * a plain static field would start one set per profile. The set is therefore published in system
   * properties (ports, directories) and pid files, and a copy of this class in another loader
   * attaches to the running processes instead of starting new ones, under {@link #jvmWideLock()}.
   */
  private static void ensureStarted() {
    synchronized (jvmWideLock()) {
      if (kafka != null) {
        return;
      }
      String shared = System.getProperty(PREFIX + "base");
      if (shared != null) {
        attachToShared(Path.of(shared));
        return;
      }
      Path base = baseDirectory();
      Path run = base.resolve("run");
      for (int attempt = 1; ; attempt++) {
        kafka = KafkaBroker.builder().logFile(base.resolve("kafka.log")).runDir(run).build();
        postgres = Postgres.embedded().logFile(base.resolve("postgres.log")).runDir(run).build();
        s3 = S3Store.builder().logFile(base.resolve("s3proxy.log")).runDir(run).build();
        System.err.printf(
            "[beamline-infra] starting Kafka %s, PostgreSQL %s, S3Proxy %s (logs in %s)%n",
            kafka.bootstrapServers(), postgres.address(), s3.endpoint(), base);
        try {
          startAll();
          break;
        } catch (PortInUseException taken) {
          // The ports were free when picked; something took one before its component bound it
          // (seen once: PostgreSQL's). They are ours to choose, so choose again.
          kafka.close();
          postgres.close();
          s3.close();
          if (attempt == 3) {
            throw taken;
          }
          System.err.printf("[beamline-infra] %s: picking other ports%n", taken.getMessage());
        }
      }
      Map<String, Integer> topics = new LinkedHashMap<>();
      Topics.ALL.forEach(topic -> topics.put(topic, Topics.partitions(topic)));
      kafka.createTopics(topics);
      System.setProperty(PREFIX + "kafka.port", Integer.toString(kafka.port()));
      System.setProperty(
          PREFIX + "kafka.controller-port", Integer.toString(kafka.controllerPort()));
      System.setProperty(PREFIX + "kafka.data", kafka.dataDir().toString());
      System.setProperty(PREFIX + "postgres.port", Integer.toString(postgres.port()));
      System.setProperty(PREFIX + "s3.port", Integer.toString(s3.port()));
      System.setProperty(PREFIX + "s3.data", s3.dataDir().toString());
      System.setProperty(PREFIX + "base", base.toString());
    }
  }

  private static void attachToShared(Path base) {
    Path run = base.resolve("run");
    kafka =
        KafkaBroker.builder()
            .port(Integer.getInteger(PREFIX + "kafka.port"))
            .controllerPort(Integer.getInteger(PREFIX + "kafka.controller-port"))
            .dataDir(Path.of(System.getProperty(PREFIX + "kafka.data")))
            .logFile(base.resolve("kafka.log"))
            .runDir(run)
            .build();
    postgres =
        Postgres.embedded()
            .port(Integer.getInteger(PREFIX + "postgres.port"))
            .logFile(base.resolve("postgres.log"))
            .runDir(run)
            .build();
    s3 =
        S3Store.builder()
            .port(Integer.getInteger(PREFIX + "s3.port"))
            .dataDir(Path.of(System.getProperty(PREFIX + "s3.data")))
            .logFile(base.resolve("s3proxy.log"))
            .runDir(run)
            .build();
    reattach(run);
  }

  /** Attaches to whatever runs now: another loader may have restarted a component. */
  private static void reattach(Path run) {
    if (!kafka.isRunning()) {
      pid(run.resolve("kafka.pid")).ifPresent(kafka::attach);
    }
    if (!postgres.isRunning()) {
      pid(run.resolve("postgres.pid")).ifPresent(postgres::attach);
    }
    if (!s3.isRunning()) {
      pid(run.resolve("s3proxy.pid")).ifPresent(s3::attach);
    }
  }

  private static Optional<Long> pid(Path pidFile) {
    try {
      return Optional.of(Long.parseLong(Files.readString(pidFile).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * One monitor for every class loader of this JVM. Not {@code System.getProperties()} itself: the
   * JDK locks that too (e.g. {@code TimeZone.getDefault()} inside the PostgreSQL driver on a start
   * thread), which deadlocked against a start waited for under it.
   */
  private static Object jvmWideLock() {
    // String literals are interned in one JVM-wide table, so every class loader sees this object.
    return "beamline.devstack.infra.lock";
  }

  /** Also starts again whatever a previous test stopped or killed on purpose. */
  private static void ensureRunning() {
    synchronized (jvmWideLock()) {
      ensureStarted();
      if (!kafka.isRunning() || !postgres.isRunning() || !s3.isRunning()) {
        reattach(Path.of(System.getProperty(PREFIX + "base")).resolve("run"));
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
      // Each start has its own timeout; this one only guards against the unforeseen.
      CompletableFuture.allOf(k, p, s).get(5, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new DevstackException("cannot start the test infrastructure", e);
    } catch (TimeoutException e) {
      throw new DevstackException("the test infrastructure did not start within 5 minutes", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DevstackException("interrupted while starting the test infrastructure", e);
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
    } catch (IOException e) {
      throw new DevstackException("cannot create " + base + ": " + e.getMessage(), e);
    }
  }
}
