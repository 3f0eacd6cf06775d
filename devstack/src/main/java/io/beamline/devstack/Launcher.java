package io.beamline.devstack;

import io.beamline.events.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Runs the whole Beamline stack on one machine for {@code ./beamline up}: Kafka, PostgreSQL and
 * S3Proxy, then the services as child processes, and supervises them until it is told to stop.
 */
public final class Launcher {

  /**
   * One service of the stack.
   *
   * @param name process and log name
   * @param moduleDir Maven module directory under the repository root
   * @param portEnv environment variable overriding {@code defaultPort}
   * @param database its own database
   * @param consumes topics it reads, each of which gets a dead-letter topic for it (one missing
   *     here is created by the broker on first use, with one partition)
   */
  record Service(
      String name,
      String moduleDir,
      String portEnv,
      int defaultPort,
      String database,
      List<String> consumes) {

    Path jar(Path repo) {
      return repo.resolve(moduleDir).resolve("target/quarkus-app/quarkus-run.jar");
    }
  }

  /**
   * The services, in start order: token-service first, the others verify API keys with it. The last
   * column lists the topics each consumes today (one dead-letter topic each); a service's issue
   * adds its topics here when it adds the channel.
   */
  static final List<Service> SERVICES =
      List.of(
          new Service(
              "token-service",
              "token-service",
              "BEAMLINE_TOKEN_PORT",
              8081,
              "token",
              // Viewer sessions of uncapped tokens are learnt from the viewer events.
              List.of(Topics.TOKEN_REVOKED, Topics.VIEWER_JOINED, Topics.VIEWER_LEFT)),
          new Service(
              "stream-service",
              "stream-service",
              "BEAMLINE_STREAM_PORT",
              8082,
              "stream",
              List.of(Topics.TOKEN_REVOKED)),
          new Service(
              "recording-service",
              "recording-service",
              "BEAMLINE_RECORDING_PORT",
              8083,
              "recording",
              List.of(
                  Topics.TOKEN_REVOKED,
                  Topics.FEED_STARTED,
                  Topics.FEED_ENDED,
                  Topics.SOURCE_SWITCHED,
                  Topics.STREAM_ENDED)),
          new Service(
              "analytics-service",
              "analytics-service",
              "BEAMLINE_ANALYTICS_PORT",
              8084,
              "analytics",
              // Every stream event feeds the aggregates; each has a dead-letter topic.
              Stream.concat(Stream.of(Topics.TOKEN_REVOKED), Topics.STREAM_TOPICS.stream())
                  .toList()),
          new Service(
              "syndication-service",
              "syndication-service",
              "BEAMLINE_SYNDICATION_PORT",
              8085,
              "syndication",
              List.of(
                  Topics.TOKEN_REVOKED,
                  Topics.STREAM_STARTED,
                  Topics.FEED_STARTED,
                  Topics.SOURCE_SWITCHED,
                  Topics.STREAM_ENDED,
                  Topics.VIEWER_JOINED,
                  Topics.VIEWER_LEFT,
                  Topics.TOKEN_UPDATED)));

  static final String BUCKET = "recordings";
  static final String STREAM_SERVICE = "stream-service";
  static final String SYNDICATION_SERVICE = "syndication-service";
  static final String RECORDING_SERVICE = "recording-service";
  static final String BOOTSTRAP_ACCOUNT = "default";
  private static final Duration SERVICE_STOP_GRACE = Duration.ofSeconds(30);

  private final Settings settings;
  private final PrintStream out;
  private final Object lock = new Object();
  private final List<Stoppable> started = new ArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean stopping;
  private final Map<String, String> state = new LinkedHashMap<>();

  private KafkaBroker kafka;
  private Postgres postgres;
  private S3Store s3;
  private MediaNode mediaNode;
  private final MediaPorts mediaPorts = MediaPorts.from(System.getenv());

  Launcher(Settings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
  }

  public static void main(String[] args) {
    // Before any logger exists: the Kafka and MinIO clients are chatty at INFO.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
    String command = args.length == 0 ? "help" : args[0];
    List<String> rest = Arrays.asList(args).subList(Math.min(1, args.length), args.length);
    try {
      switch (command) {
        case "up" -> {
          Launcher launcher = new Launcher(Settings.from(System.getenv(), rest), System.out);
          System.exit(launcher.up());
        }
        case "modules" ->
            Settings.from(System.getenv(), rest)
                .services()
                .forEach(s -> System.out.println(s.name() + " " + s.moduleDir()));
        default -> {
          System.err.println(
              "usage: Launcher up|modules [--detached] [--infra-only] [--services a,b]");
          System.exit(2);
        }
      }
    } catch (DevstackException | IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(1);
    }
  }

  /** Starts everything, then supervises until a signal; returns the exit code. */
  int up() {
    long begin = System.nanoTime();
    Path data = settings.dataDir();
    Path run = data.resolve("run");
    out.println("Beamline dev stack, data in " + settings.display(data));
    preflight(run);
    FileSupport.createDirectories(data.resolve("logs"));
    FileSupport.write(run.resolve("supervisor.pid"), ProcessHandle.current().pid() + "\n");
    FileSupport.deleteQuietly(run.resolve("ready"));
    installSignalHandlers();
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "beamline-launcher-stop"));
    try {
      startAll(run);
    } catch (RuntimeException e) {
      if (stopping) {
        return 0;
      }
      out.println();
      out.println("error: " + e.getMessage());
      out.println("stopping what was started ...");
      stopAll();
      return 1;
    }
    printSummary(Duration.ofNanos(System.nanoTime() - begin));
    FileSupport.write(run.resolve("ready"), "ready\n");
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private void startAll(Path run) {
    Path data = settings.dataDir();
    Path logs = data.resolve("logs");
    List<Service> services = settings.services();
    boolean media = services.stream().anyMatch(s -> s.name().equals(STREAM_SERVICE));
    int total = 6 + services.size() + (media ? 1 : 0);
    int[] step = {0};
    String marker = "-Dbeamline.devstack.data=" + data;

    kafka =
        KafkaBroker.builder()
            .port(settings.kafkaPort())
            .controllerPort(settings.kafkaControllerPort())
            .portSettings("BEAMLINE_KAFKA_PORT", "BEAMLINE_KAFKA_CONTROLLER_PORT")
            .dataDir(data.resolve("kafka"))
            .logFile(rotated(logs.resolve("kafka.log")))
            .runDir(run)
            .jvmArg(marker)
            .build();
    startManaged(++step[0], total, "Kafka", "kafka", kafka.bootstrapServers(), kafka);

    if (settings.externalPostgres().isPresent()) {
      ExternalPostgres ext = settings.externalPostgres().get();
      postgres = Postgres.external(ext.url(), ext.user(), ext.password());
      step(
          ++step[0],
          total,
          "checking external PostgreSQL at " + postgres.address(),
          () -> {
            postgres.start();
            return null;
          });
    } else {
      postgres =
          Postgres.embedded()
              .port(settings.postgresPort())
              .portSetting("BEAMLINE_POSTGRES_PORT")
              .dataDir(data.resolve("postgres"))
              .logFile(rotated(logs.resolve("postgres.log")))
              .runDir(run)
              .build();
      step(
          ++step[0],
          total,
          "starting PostgreSQL on " + postgres.address(),
          () -> {
            started(postgres::stop, "PostgreSQL");
            postgres.start();
            watch("postgres", postgres.processHandle(), postgres.logFile().orElse(null));
            state("postgres", postgres.port(), "-", postgres.logFile().orElseThrow());
            return null;
          });
    }

    s3 =
        S3Store.builder()
            .port(settings.s3Port())
            .portSetting("BEAMLINE_S3_PORT")
            .credentials(settings.s3AccessKey(), settings.s3SecretKey())
            .dataDir(data.resolve("s3"))
            .logFile(rotated(logs.resolve("s3proxy.log")))
            .runDir(run)
            .jvmArg(marker)
            .build();
    startManaged(++step[0], total, "S3Proxy", "s3proxy", s3.endpoint(), s3);

    List<String> databases = SERVICES.stream().map(Service::database).toList();
    step(
        ++step[0],
        total,
        "creating databases " + String.join(", ", databases),
        () -> {
          postgres.createDatabasesIfMissing(databases);
          return null;
        });

    Map<String, Integer> topics = topicPlan();
    step(
        ++step[0],
        total,
        "creating " + topics.size() + " topics",
        () -> {
          kafka.createTopics(topics);
          return null;
        });

    step(
        ++step[0],
        total,
        "creating bucket " + settings.bucket(),
        () -> {
          s3.createBucketIfMissing(settings.bucket());
          return null;
        });

    if (media) {
      // stream-service drives it; nginx calls back only when traffic arrives, so it may start
      // first.
      mediaNode =
          MediaNode.builder()
              .ports(mediaPorts.rtmp(), mediaPorts.http(), mediaPorts.control())
              .portSettings(
                  "BEAMLINE_RTMP_PORT", "BEAMLINE_MEDIA_HTTP_PORT", "BEAMLINE_MEDIA_CONTROL_PORT")
              .callbackUrl("http://127.0.0.1:" + settings.servicePort(serviceNamed(STREAM_SERVICE)))
              .trafficLog("127.0.0.1:" + mediaPorts.trafficLog())
              .rtmpModule(
                  System.getenv()
                      .getOrDefault("BEAMLINE_NGINX_RTMP_MODULE", MediaNode.DEFAULT_RTMP_MODULE))
              .dataDir(data.resolve("media-node"))
              .logFile(rotated(logs.resolve("media-node.log")))
              .runDir(run)
              .build();
      startManaged(
          ++step[0],
          total,
          "media node (nginx-rtmp)",
          "media-node",
          mediaNode.rtmpUrl() + ", HLS " + mediaNode.httpUrl(),
          mediaNode);
    }

    String masterKey = masterKey(data.resolve("secrets/master.key"));
    for (Service service : services) {
      int port = settings.servicePort(service);
      step(
          ++step[0],
          total,
          "starting " + service.name() + " on http://127.0.0.1:" + port,
          () -> {
            startService(service, port, masterKey, run, logs, marker);
            return null;
          });
    }
  }

  /** Every contract topic with its partition count, plus the dead-letter topic of each consumer. */
  /** One progress step that starts a child process, registers it for stopping and watches it. */
  private void startManaged(
      int index, int total, String label, String name, String address, ManagedProcess component) {
    step(
        index,
        total,
        "starting " + label + " on " + address,
        () -> {
          started(component::stop, label);
          component.start();
          watch(name, component.processHandle(), component.logFile());
          state(name, component.port(), "-", component.logFile());
          return null;
        });
  }

  static Map<String, Integer> topicPlan() {
    Map<String, Integer> topics = new LinkedHashMap<>();
    Topics.ALL.forEach(topic -> topics.put(topic, Topics.partitions(topic)));
    for (Service service : SERVICES) {
      for (String topic : service.consumes()) {
        topics.put(Topics.deadLetter(service.name(), topic), 1);
      }
    }
    return topics;
  }

  private void startService(
      Service service, int port, String masterKey, Path run, Path logs, String marker) {
    Path jar = service.jar(settings.repo());
    Map<String, String> env = new LinkedHashMap<>();
    env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
    env.put("QUARKUS_HTTP_HOST", Ports.LOOPBACK);
    env.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl(service.database()));
    env.put("QUARKUS_DATASOURCE_USERNAME", postgres.user());
    env.put("QUARKUS_DATASOURCE_PASSWORD", postgres.password());
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put(
        "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
        "http://127.0.0.1:" + settings.servicePort(SERVICES.get(0)) + "/.well-known/jwks.json");
    env.put("BEAMLINE_S3_ENDPOINT", s3.endpoint());
    env.put("BEAMLINE_S3_ACCESS_KEY", s3.accessKey());
    env.put("BEAMLINE_S3_SECRET_KEY", s3.secretKey());
    env.put("BEAMLINE_S3_BUCKET", settings.bucket());
    if (service == SERVICES.get(0)) {
      env.put("BEAMLINE_BOOTSTRAP_ACCOUNT_NAME", BOOTSTRAP_ACCOUNT);
      env.put("BEAMLINE_BOOTSTRAP_API_KEY_FILE", bootstrapKeyFile().toString());
      env.put("BEAMLINE_SECRETS_MASTER_KEY", masterKey);
      env.put("BEAMLINE_BOOTSTRAP_INTERNAL_KEY_FILE", internalKeyFile().toString());
    }
    if (service.name().equals(STREAM_SERVICE)) {
      env.put(
          "BEAMLINE_STREAM_TOKEN_SERVICE_URL",
          "http://127.0.0.1:" + settings.servicePort(SERVICES.get(0)));
      env.put("BEAMLINE_STREAM_TOKEN_SERVICE_INTERNAL_KEY_FILE", internalKeyFile().toString());
      // Shared by restarts, so media URLs handed out before a restart keep working.
      env.put(
          "BEAMLINE_STREAM_MEDIA_JWT_SECRET",
          masterKey(settings.dataDir().resolve("secrets/media-jwt.key")));
      if (mediaNode != null) {
        env.put("BEAMLINE_STREAM_MEDIA_NODE_RTMP_URL", mediaNode.rtmpUrl());
        env.put("BEAMLINE_STREAM_MEDIA_NODE_HLS_URL", mediaNode.httpUrl());
        env.put("BEAMLINE_STREAM_MEDIA_NODE_CONTROL_URL", mediaNode.controlUrl());
        env.put("BEAMLINE_STREAM_MEDIA_NODE_CALLBACK_KEY", mediaNode.callbackKey());
        env.put(
            "BEAMLINE_STREAM_MEDIA_NODE_TRAFFIC_LOG_PORT",
            Integer.toString(mediaPorts.trafficLog()));
        env.put("BEAMLINE_STREAM_MEDIA_NODE_TRAFFIC_LOG_HOST", Ports.LOOPBACK);
      }
    }
    if (service.name().equals(RECORDING_SERVICE)) {
      // Pulls live streams through stream-service's egress URLs.
      env.put("BEAMLINE_RECORDING_EGRESS_INTERNAL_KEY_FILE", internalKeyFile().toString());
      env.put(
          "BEAMLINE_RECORDING_EGRESS_URL",
          "http://127.0.0.1:" + settings.servicePort(serviceNamed(STREAM_SERVICE)));
    }
    if (service.name().equals(SYNDICATION_SERVICE)) {
      // Reads restream targets from token-service and pull URLs from stream-service.
      env.put("BEAMLINE_SYNDICATION_INTERNAL_KEY_FILE", internalKeyFile().toString());
      // Its own master key (seals partner stream keys at rest), generated once.
      env.put(
          "BEAMLINE_SYNDICATION_SECRETS_MASTER_KEY",
          masterKey(settings.dataDir().resolve("secrets/syndication-master.key")));
      env.put(
          "BEAMLINE_SYNDICATION_TOKEN_SERVICE_URL",
          "http://127.0.0.1:" + settings.servicePort(SERVICES.get(0)));
      env.put(
          "BEAMLINE_SYNDICATION_STREAM_SERVICE_URL",
          "http://127.0.0.1:" + settings.servicePort(serviceNamed(STREAM_SERVICE)));
    }
    List<String> command = new ArrayList<>();
    command.add(ChildProcess.javaExecutable());
    command.addAll(settings.serviceJavaOptions());
    command.add(marker);
    command.add("-jar");
    command.add(jar.toString());
    Path log = rotated(logs.resolve(service.name() + ".log"));
    ChildProcess child =
        ChildProcess.start(
            service.name(),
            command,
            settings.repo().resolve(service.moduleDir()),
            env,
            log,
            run.resolve(service.name() + ".pid"));
    started(() -> child.stop(SERVICE_STOP_GRACE), service.name());
    Cleanup.register(child, service.name(), () -> child.stop(SERVICE_STOP_GRACE));
    watch(service.name(), Optional.of(child.handle()), log);
    String health = "http://127.0.0.1:" + port + "/q/health/ready";
    state(service.name(), port, health, log);
    awaitHealthy(child, health);
  }

  private void awaitHealthy(ChildProcess child, String url) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build();
    String[] last = {"no answer yet"};
    Wait.until(
        settings.readyTimeout(),
        Duration.ofMillis(250),
        () -> {
          try {
            HttpResponse<String> response =
                http.send(request, HttpResponse.BodyHandlers.ofString());
            last[0] = "HTTP " + response.statusCode() + " " + oneLine(response.body());
            return response.statusCode() == 200;
          } catch (IOException e) {
            return false;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        },
        () -> stopping || child.isAlive() ? null : child.deathReport(),
        () ->
            child.name()
                + " did not become ready within "
                + settings.readyTimeout().toSeconds()
                + " s (last answer from "
                + url
                + ": "
                + last[0]
                + "); see "
                + settings.display(child.logFile())
                + " (set BEAMLINE_READY_TIMEOUT to wait longer)");
  }

  private void step(int index, int total, String label, Supplier<Void> action) {
    if (stopping) {
      throw new DevstackException("stopped");
    }
    out.printf("[%d/%d] %s ... ", index, total, label);
    out.flush();
    long start = System.nanoTime();
    try {
      action.get();
    } catch (RuntimeException e) {
      out.println("FAILED");
      throw e;
    }
    out.printf(Locale.ROOT, "ok (%.1f s)%n", (System.nanoTime() - start) / 1e9);
  }

  private void started(Runnable stop, String name) {
    synchronized (lock) {
      started.add(new Stoppable(name, stop));
    }
  }

  /** Reports a component that exits while it should be running. */
  private void watch(String name, Optional<ProcessHandle> handle, Path log) {
    handle.ifPresent(
        h ->
            h.onExit()
                .thenRun(
                    () -> {
                      if (stopping) {
                        return;
                      }
                      String exit =
                          h.pid()
                              + ") exited unexpectedly at "
                              + LocalTime.now().truncatedTo(ChronoUnit.SECONDS);
                      StringBuilder message = new StringBuilder();
                      message.append("\n!! ").append(name).append(" (pid ").append(exit);
                      message.append("; everything else keeps running.\n");
                      if (log != null) {
                        message.append("!! last lines of ").append(settings.display(log));
                        message.append(":\n").append(FileSupport.tail(log, 15));
                      }
                      message.append("!! restart with ./beamline down && ./beamline up");
                      out.println(message);
                      out.flush();
                    }));
  }

  private void state(String name, int port, String health, Path log) {
    synchronized (lock) {
      state.put(name, name + "\t" + port + "\t" + health + "\t" + log);
      FileSupport.write(
          settings.dataDir().resolve("run/state"), String.join("\n", state.values()) + "\n");
    }
  }

  /** Stops everything started, newest first; safe to call more than once and from any thread. */
  void stopAll() {
    List<Stoppable> toStop;
    synchronized (lock) {
      if (stopping && started.isEmpty()) {
        stopped.countDown();
        return;
      }
      stopping = true;
      toStop = new ArrayList<>(started);
      started.clear();
    }
    Path run = settings.dataDir().resolve("run");
    FileSupport.deleteQuietly(run.resolve("ready"));
    for (int i = toStop.size() - 1; i >= 0; i--) {
      Stoppable s = toStop.get(i);
      long begin = System.nanoTime();
      out.printf("stopping %s ... ", s.name());
      out.flush();
      try {
        s.stop().run();
        out.printf(Locale.ROOT, "ok (%.1f s)%n", (System.nanoTime() - begin) / 1e9);
      } catch (RuntimeException e) {
        out.println("failed: " + e.getMessage());
      }
    }
    FileSupport.deleteQuietly(run.resolve("state"));
    FileSupport.deleteQuietly(run.resolve("supervisor.pid"));
    out.flush();
    stopped.countDown();
  }

  // sun.misc.Signal: the only way to stop in order before the JVM runs its exit hooks in parallel.
  private void installSignalHandlers() {
    for (String name : List.of("TERM", "INT", "HUP")) {
      try {
        sun.misc.Signal.handle(
            new sun.misc.Signal(name),
            signal -> {
              out.println();
              out.println("received SIG" + name + ", stopping everything ...");
              stopAll();
              System.exit(0);
            });
      } catch (IllegalArgumentException e) {
        // Ignored by the parent (e.g. INT for a background job): the shutdown hook still stops all.
      }
    }
  }

  private void preflight(Path run) {
    String marker = settings.dataDir().toString();
    Optional<ProcessHandle> supervisor = livePid(run.resolve("supervisor.pid"), marker);
    if (supervisor.isPresent()) {
      throw new DevstackException(
          "Beamline is already running from "
              + settings.display(settings.dataDir())
              + " (supervisor pid "
              + supervisor.get().pid()
              + "); see ./beamline status, or stop it with ./beamline down");
    }
    List<String> leftovers = new ArrayList<>();
    if (Files.isDirectory(run)) {
      try (Stream<Path> files = Files.list(run)) {
        for (Path pidFile : files.filter(p -> p.toString().endsWith(".pid")).toList()) {
          Optional<ProcessHandle> alive = livePid(pidFile, marker);
          String name = pidFile.getFileName().toString().replaceFirst("\\.pid$", "");
          if (alive.isPresent()) {
            leftovers.add(name + " (pid " + alive.get().pid() + ")");
          } else {
            FileSupport.deleteQuietly(pidFile);
          }
        }
      } catch (IOException e) {
        throw new DevstackException("cannot read " + run + ": " + e.getMessage(), e);
      }
    }
    if (!leftovers.isEmpty()) {
      throw new DevstackException(
          "processes of an earlier run are still alive: "
              + String.join(", ", leftovers)
              + "; stop them with ./beamline down");
    }
    for (Service service : settings.services()) {
      if (!Files.isRegularFile(service.jar(settings.repo()))) {
        throw new DevstackException(
            service.name()
                + " is not built ("
                + settings.display(service.jar(settings.repo()))
                + " is missing); run ./mvnw -B -q package -DskipTests");
      }
    }
    DevstackDist.locate();
    List<Ports.PortClaim> claims = new ArrayList<>();
    claims.add(new Ports.PortClaim(settings.kafkaPort(), "kafka", "BEAMLINE_KAFKA_PORT"));
    claims.add(
        new Ports.PortClaim(
            settings.kafkaControllerPort(), "kafka controller", "BEAMLINE_KAFKA_CONTROLLER_PORT"));
    if (settings.externalPostgres().isEmpty()) {
      claims.add(
          new Ports.PortClaim(settings.postgresPort(), "postgresql", "BEAMLINE_POSTGRES_PORT"));
    }
    claims.add(new Ports.PortClaim(settings.s3Port(), "s3proxy", "BEAMLINE_S3_PORT"));
    for (Service service : settings.services()) {
      claims.add(
          new Ports.PortClaim(settings.servicePort(service), service.name(), service.portEnv()));
      if (service.name().equals(STREAM_SERVICE)) {
        claims.add(new Ports.PortClaim(mediaPorts.rtmp(), "media node RTMP", "BEAMLINE_RTMP_PORT"));
        claims.add(
            new Ports.PortClaim(mediaPorts.http(), "media node HLS", "BEAMLINE_MEDIA_HTTP_PORT"));
        claims.add(
            new Ports.PortClaim(
                mediaPorts.control(), "media node control", "BEAMLINE_MEDIA_CONTROL_PORT"));
      }
    }
    Ports.requireAllFree(claims);
  }

  /** The process named by a pid file, if it is alive and was started for this data directory. */
  static Optional<ProcessHandle> livePid(Path pidFile, String marker) {
    try {
      long pid = Long.parseLong(Files.readString(pidFile).strip());
      // A recycled pid belongs to someone else: only trust it if its command line names our data
      // directory (every process the launcher starts carries it).
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(true));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private void printSummary(Duration took) {
    Path data = settings.dataDir();
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(Locale.ROOT, "%nBeamline is up (%.1f s).%n%n", took.toMillis() / 1000.0));
    if (!settings.services().isEmpty()) {
      s.append(String.format("  %-20s %-24s %-40s %s%n", "service", "API", "Swagger UI", "health"));
      for (Service service : settings.services()) {
        String base = "http://127.0.0.1:" + settings.servicePort(service);
        s.append(
            String.format(
                "  %-20s %-24s %-40s %s%n",
                service.name(), base, base + "/q/swagger-ui", base + "/q/health"));
      }
      s.append('\n');
    }
    s.append(
        String.format(
            "  %-12s %s (controller 127.0.0.1:%d)%n",
            "Kafka", kafka.bootstrapServers(), kafka.controllerPort()));
    s.append(
        String.format(
            "  %-12s %s  user %s, password %s  (%s; databases %s)%n",
            "PostgreSQL",
            postgres.jdbcUrl("<database>"),
            postgres.user(),
            postgres.isEmbedded() ? postgres.password() : "(as configured)",
            postgres.isEmbedded()
                ? "embedded, data in " + settings.display(data.resolve("postgres"))
                : "external",
            String.join(", ", SERVICES.stream().map(Service::database).toList())));
    s.append(
        String.format(
            "  %-12s %s  access key %s, secret key %s, bucket %s%n",
            "S3", s3.endpoint(), s3.accessKey(), s3.secretKey(), settings.bucket()));
    if (mediaNode != null) {
      s.append(
          String.format(
              "  %-12s publish/play %s/<stream>, HLS %s/hls/..., control %s (nginx-rtmp)%n",
              "Media node", mediaNode.rtmpUrl(), mediaNode.httpUrl(), mediaNode.controlUrl()));
    }
    s.append('\n');
    Path keyFile = bootstrapKeyFile();
    if (Files.isRegularFile(keyFile)) {
      s.append(
          String.format(
              "  Bootstrap API key (account \"%s\"): %s%n    (from %s; use it as Authorization: Bearer <key>)%n",
              BOOTSTRAP_ACCOUNT, readFirstLine(keyFile), settings.display(keyFile)));
    } else if (settings.services().contains(SERVICES.get(0))) {
      s.append(
          "  Bootstrap API key: token-service has not written "
              + settings.display(keyFile)
              + " (it does so when it creates the first account)\n");
    }
    s.append("  Logs: ").append(settings.display(data.resolve("logs"))).append("/<name>.log");
    s.append("  (./beamline logs <name>), status: ./beamline status\n");
    s.append(
        settings.detached()
            ? "  Stop with ./beamline down\n"
            : "  Stop with Ctrl-C (or ./beamline down from another terminal)\n");
    out.print(s);
    out.flush();
  }

  private Path bootstrapKeyFile() {
    return settings.dataDir().resolve("bootstrap-api-key.txt");
  }

  /**
   * The platform's internal key (scope {@code platform:internal}) that token-service writes at
   * bootstrap and the other services present to its {@code /internal/...} endpoints.
   */
  Path internalKeyFile() {
    return settings.dataDir().resolve("internal-api-key.txt");
  }

  /** The secrets master key, generated once (32 random bytes, base64) and kept in the data dir. */
  static String masterKey(Path file) {
    try {
      if (!Files.isRegularFile(file)) {
        FileSupport.createDirectories(file.getParent());
        trySetPermissions(file.getParent(), "rwx------");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        FileSupport.write(file, Base64.getEncoder().encodeToString(key) + "\n");
        trySetPermissions(file, "rw-------");
      }
      String key = readFirstLine(file);
      if (Base64.getDecoder().decode(key).length != 32) {
        throw new DevstackException(file + " does not hold a base64 32-byte key; delete it");
      }
      return key;
    } catch (IllegalArgumentException e) {
      throw new DevstackException(
          file + " is not valid base64; delete it to generate a new key", e);
    }
  }

  private static void trySetPermissions(Path path, String permissions) {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
    } catch (IOException | UnsupportedOperationException e) {
      // Not a POSIX file system: the key is still only in the user's own data directory.
    }
  }

  private static String readFirstLine(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
          .findFirst()
          .orElse("")
          .strip();
    } catch (IOException e) {
      throw new DevstackException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static Path rotated(Path log) {
    FileSupport.rotate(log);
    return log;
  }

  private static String oneLine(String body) {
    String flat = body.replaceAll("\\s+", " ").strip();
    return flat.length() > 200 ? flat.substring(0, 200) + "..." : flat;
  }

  private record Stoppable(String name, Runnable stop) {}

  private static Service serviceNamed(String name) {
    return SERVICES.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  /**
   * Ports of the media node stream-service drives: {@code BEAMLINE_RTMP_PORT} (1935), {@code
   * BEAMLINE_MEDIA_HTTP_PORT} (8086, HLS), {@code BEAMLINE_MEDIA_CONTROL_PORT} (8087), and the UDP
   * port stream-service receives the node's HLS traffic log on, {@code
   * BEAMLINE_MEDIA_TRAFFIC_LOG_PORT} (8087: UDP, beside the node's TCP control port).
   */
  record MediaPorts(int rtmp, int http, int control, int trafficLog) {
    static MediaPorts from(Map<String, String> env) {
      return new MediaPorts(
          Settings.port(env, "BEAMLINE_RTMP_PORT", 1935),
          Settings.port(env, "BEAMLINE_MEDIA_HTTP_PORT", 8086),
          Settings.port(env, "BEAMLINE_MEDIA_CONTROL_PORT", 8087),
          Settings.port(env, "BEAMLINE_MEDIA_TRAFFIC_LOG_PORT", 8087));
    }
  }

  /** PostgreSQL the launcher does not run itself. */
  record ExternalPostgres(String url, String user, String password) {}

  /** What {@code ./beamline up} reads from the environment and its arguments. */
  record Settings(
      Path repo,
      Path dataDir,
      int kafkaPort,
      int kafkaControllerPort,
      int postgresPort,
      int s3Port,
      Map<String, Integer> servicePorts,
      Optional<ExternalPostgres> externalPostgres,
      String s3AccessKey,
      String s3SecretKey,
      String bucket,
      Duration readyTimeout,
      List<String> serviceJavaOptions,
      List<Service> services,
      boolean detached) {

    static Settings from(Map<String, String> env, List<String> args) {
      Path repo = Path.of(System.getProperty("beamline.home", "")).toAbsolutePath().normalize();
      // ./beamline resolves the directory itself and passes it, so both always agree.
      Path data =
          Optional.ofNullable(System.getProperty("beamline.devstack.data"))
              .or(() -> Optional.ofNullable(env.get("BEAMLINE_DATA_DIR")))
              .filter(v -> !v.isBlank())
              .map(v -> repo.resolve(v).toAbsolutePath().normalize())
              .orElse(repo.resolve(".beamline"));
      Map<String, Integer> servicePorts = new LinkedHashMap<>();
      SERVICES.forEach(s -> servicePorts.put(s.name(), port(env, s.portEnv(), s.defaultPort())));
      Optional<ExternalPostgres> external =
          Optional.ofNullable(env.get("BEAMLINE_POSTGRES_URL"))
              .filter(v -> !v.isBlank())
              .map(
                  url ->
                      new ExternalPostgres(
                          url,
                          env.getOrDefault("BEAMLINE_POSTGRES_USER", "postgres"),
                          env.getOrDefault("BEAMLINE_POSTGRES_PASSWORD", "")));
      boolean detached = false;
      boolean infraOnly = false;
      String only = env.getOrDefault("BEAMLINE_SERVICES", "");
      for (int i = 0; i < args.size(); i++) {
        switch (args.get(i)) {
          case "--detached", "-d" -> detached = true;
          case "--infra-only" -> infraOnly = true;
          case "--services" -> {
            if (i + 1 >= args.size()) {
              throw new IllegalArgumentException("--services needs a comma-separated list");
            }
            only = args.get(++i);
          }
          default -> throw new IllegalArgumentException("unknown option " + args.get(i));
        }
      }
      List<Service> services = infraOnly ? List.of() : select(only);
      String javaOptions =
          env.getOrDefault(
              "BEAMLINE_SERVICE_JAVA_OPTS",
              "-Xmx384m -XX:+ExitOnOutOfMemoryError -XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
      return new Settings(
          repo,
          data,
          port(env, "BEAMLINE_KAFKA_PORT", 9092),
          port(env, "BEAMLINE_KAFKA_CONTROLLER_PORT", 9093),
          port(env, "BEAMLINE_POSTGRES_PORT", 15432),
          port(env, "BEAMLINE_S3_PORT", 9000),
          servicePorts,
          external,
          env.getOrDefault("BEAMLINE_S3_ACCESS_KEY", S3Store.DEFAULT_IDENTITY),
          env.getOrDefault("BEAMLINE_S3_SECRET_KEY", S3Store.DEFAULT_CREDENTIAL),
          env.getOrDefault("BEAMLINE_S3_BUCKET", BUCKET),
          Duration.ofSeconds(seconds(env, "BEAMLINE_READY_TIMEOUT", 180)),
          Arrays.stream(javaOptions.trim().split("\\s+")).filter(o -> !o.isEmpty()).toList(),
          services,
          detached);
    }

    int servicePort(Service service) {
      return servicePorts.get(service.name());
    }

    /** A path relative to the repository when it lies inside it, for shorter messages. */
    String display(Path path) {
      return path.startsWith(repo) ? repo.relativize(path).toString() : path.toString();
    }

    private static List<Service> select(String only) {
      if (only == null || only.isBlank()) {
        return SERVICES;
      }
      List<String> names = Arrays.stream(only.split(",")).map(String::strip).toList();
      List<Service> chosen = new ArrayList<>();
      for (Service service : SERVICES) {
        String shortName = service.name().replaceFirst("-service$", "");
        if (names.contains(service.name()) || names.contains(shortName)) {
          chosen.add(service);
        }
      }
      if (chosen.size() != names.size()) {
        throw new IllegalArgumentException(
            "unknown service in "
                + only
                + "; known: "
                + String.join(", ", SERVICES.stream().map(Service::name).toList()));
      }
      return chosen;
    }

    private static int port(Map<String, String> env, String name, int fallback) {
      String value = env.get(name);
      if (value == null || value.isBlank()) {
        return fallback;
      }
      try {
        int port = Integer.parseInt(value.strip());
        if (port < 1 || port > 65535) {
          throw new NumberFormatException();
        }
        return port;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + "=" + value + " is not a port number");
      }
    }

    private static long seconds(Map<String, String> env, String name, long fallback) {
      String value = env.get(name);
      if (value == null || value.isBlank()) {
        return fallback;
      }
      try {
        return Long.parseLong(value.strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + "=" + value + " is not a number of seconds");
      }
    }
  }
}
