package io.beamline.devstack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A single-node KRaft Kafka broker (combined broker and controller) running as a separate JVM from
 * the jars in {@code devstack-dist}, on loopback.
 */
public final class KafkaBroker extends ManagedProcess {

  private static final Duration STOP_GRACE = Duration.ofSeconds(30);

  private final DevstackDist dist;
  private final int port;
  private final int controllerPort;
  private final String portSetting;
  private final String controllerPortSetting;
  private final Duration startTimeout;
  private final String heap;
  private final List<String> jvmArgs;
  private final Map<String, String> extraProperties;

  private KafkaBroker(Builder b) {
    super("kafka", b.dataDir, b.logFile, b.runDir, STOP_GRACE);
    this.dist = b.dist != null ? b.dist : DevstackDist.locate();
    this.port = b.port > 0 ? b.port : Ports.freePort();
    this.controllerPort = b.controllerPort > 0 ? b.controllerPort : Ports.freePort();
    this.portSetting = b.portSetting;
    this.controllerPortSetting = b.controllerPortSetting;
    this.startTimeout = b.startTimeout;
    this.heap = b.heap;
    this.jvmArgs = List.copyOf(b.jvmArgs);
    this.extraProperties = Map.copyOf(b.properties);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the broker (formatting its storage on first use) and waits until an admin client sees
   * it. Calling it on a running broker does nothing; after {@link #stop()} or {@link #kill()} it
   * starts again on the same ports and data.
   *
   * @throws PortInUseException if a port is taken
   * @throws DevstackException if the broker exits or is not ready within the start timeout
   */
  public synchronized KafkaBroker start() {
    if (isRunning()) {
      return this;
    }
    Ports.requireFree(port, "kafka", portSetting);
    Ports.requireFree(controllerPort, "kafka controller", controllerPortSetting);
    FileSupport.createDirectories(dataDir);
    Path properties = writeServerProperties();
    formatStorageIfNeeded(properties);

    List<String> command = new ArrayList<>();
    command.add(ChildProcess.javaExecutable());
    command.add("-Xmx" + heap);
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("-Djava.awt.headless=true");
    // Start-up time matters more than peak throughput here: C1 only and the serial collector start
    // noticeably faster on a small (2-core) machine.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-Dlog4j2.configurationFile=" + dist.kafkaLog4jConfig());
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(dist.kafkaClasspath());
    command.add("kafka.Kafka");
    command.add(properties.toString());
    launch(command, this::awaitReady);
    return this;
  }

  /** {@code 127.0.0.1:<port>}. */
  public String bootstrapServers() {
    return Ports.LOOPBACK + ":" + port;
  }

  public int port() {
    return port;
  }

  public int controllerPort() {
    return controllerPort;
  }

  /** Client properties that reach this broker; add serializers etc. as needed. */
  public Map<String, Object> clientProperties() {
    Map<String, Object> props = new HashMap<>();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return props;
  }

  /**
   * Reads {@code topic} from its beginning to its end as of now, with string keys and values; for
   * tests that check what was really published. Stops at {@code timeout} with what it has.
   */
  public List<ConsumerRecord<String, String>> readTopic(String topic, Duration timeout) {
    Map<String, Object> props = clientProperties();
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, timeout).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      List<ConsumerRecord<String, String>> records = new ArrayList<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }

  /** A new admin client for this broker; the caller closes it. */
  public Admin admin() {
    Map<String, Object> props = clientProperties();
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    return Admin.create(props);
  }

  /**
   * Creates the missing topics with the given partition counts (replication factor 1) and raises
   * the partition count of existing topics that have fewer; never lowers it. Idempotent.
   */
  public void createTopics(Map<String, Integer> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    try (Admin admin = admin()) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> toCreate = new ArrayList<>();
      List<String> toCheck = new ArrayList<>();
      partitions.forEach(
          (topic, count) -> {
            if (existing.contains(topic)) {
              toCheck.add(topic);
            } else {
              toCreate.add(new NewTopic(topic, count, (short) 1));
            }
          });
      if (!toCreate.isEmpty()) {
        for (var entry : admin.createTopics(toCreate).values().entrySet()) {
          try {
            entry.getValue().get(30, TimeUnit.SECONDS);
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
              throw e;
            }
          }
        }
      }
      if (!toCheck.isEmpty()) {
        Map<String, NewPartitions> increase = new LinkedHashMap<>();
        Map<String, TopicDescription> descriptions =
            admin.describeTopics(toCheck).allTopicNames().get(30, TimeUnit.SECONDS);
        descriptions.forEach(
            (topic, description) -> {
              int wanted = partitions.get(topic);
              if (description.partitions().size() < wanted) {
                increase.put(topic, NewPartitions.increaseTo(wanted));
              }
            });
        if (!increase.isEmpty()) {
          admin.createPartitions(increase).all().get(30, TimeUnit.SECONDS);
        }
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new DevstackException(
          "cannot create topics on " + bootstrapServers() + ": " + rootMessage(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DevstackException("interrupted while creating topics", e);
    }
  }

  private Path writeServerProperties() {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@" + Ports.LOOPBACK + ":" + controllerPort);
    props.put(
        "listeners",
        "PLAINTEXT://"
            + Ports.LOOPBACK
            + ":"
            + port
            + ",CONTROLLER://"
            + Ports.LOOPBACK
            + ":"
            + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://" + Ports.LOOPBACK + ":" + port);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("log.dirs", dataDir.resolve("logs").toString());
    // One node: every internal topic must accept replication factor 1, or consumer groups and
    // transactions never form.
    props.put("offsets.topic.replication.factor", "1");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    // Fewer internal partitions than the production default of 50: faster first group join.
    props.put("offsets.topic.num.partitions", "10");
    props.put("transaction.state.log.num.partitions", "10");
    props.put("share.coordinator.state.topic.num.partitions", "10");
    props.put("group.initial.rebalance.delay.ms", "0");
    // After a crash the controller keeps the dead incarnation's registration until its session
    // expires (default 9 s) and refuses the restarted broker meanwhile; a short session makes a
    // kill-and-restart take about 3 s instead of 13.
    props.put("broker.session.timeout.ms", "3000");
    props.put("broker.heartbeat.interval.ms", "500");
    props.putAll(extraProperties);
    StringBuilder text = new StringBuilder("# Written by io.beamline.devstack.KafkaBroker\n");
    props.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    Path file = dataDir.resolve("server.properties");
    FileSupport.write(file, text.toString());
    return file;
  }

  private void formatStorageIfNeeded(Path properties) {
    if (Files.exists(dataDir.resolve("logs/meta.properties"))) {
      return;
    }
    List<String> command =
        List.of(
            ChildProcess.javaExecutable(),
            "-Xmx256m",
            "-Dlog4j2.configurationFile=" + dist.kafkaLog4jConfig(),
            "-cp",
            dist.kafkaClasspath(),
            "kafka.tools.StorageTool",
            "format",
            "--ignore-formatted",
            "--cluster-id",
            Uuid.randomUuid().toString(),
            "--config",
            properties.toString());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.directory(dataDir.toFile());
    try {
      Process format = builder.start();
      format.getOutputStream().close();
      String output = readAll(format.getInputStream());
      if (!format.waitFor(60, TimeUnit.SECONDS)) {
        format.destroyForcibly();
        throw new DevstackException("formatting Kafka storage in " + dataDir + " timed out");
      }
      if (format.exitValue() != 0) {
        throw new DevstackException(
            "formatting Kafka storage in " + dataDir + " failed:\n" + output.strip());
      }
    } catch (IOException e) {
      throw new DevstackException("cannot run the Kafka storage tool: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DevstackException("interrupted while formatting Kafka storage", e);
    }
  }

  private void awaitReady() {
    ChildProcess child = process;
    String timeoutMessage =
        "Kafka did not become ready on "
            + bootstrapServers()
            + " within "
            + startTimeout.toSeconds()
            + " s; see "
            + logFile;
    // Plain TCP first: an admin client polling a closed port floods the log with warnings.
    Wait.until(
        startTimeout,
        Duration.ofMillis(100),
        () -> Ports.isListening(Ports.LOOPBACK, port, 500),
        () -> child.isAlive() ? null : "Kafka " + child.deathReport(),
        () -> timeoutMessage);
    try (Admin admin = admin()) {
      Wait.until(
          startTimeout,
          Duration.ofMillis(200),
          () -> brokerVisible(admin),
          () -> child.isAlive() ? null : "Kafka " + child.deathReport(),
          () -> timeoutMessage);
    }
  }

  private static boolean brokerVisible(Admin admin) {
    try {
      return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
    } catch (ExecutionException | TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  @Override
  public String toString() {
    return "KafkaBroker[" + bootstrapServers() + ", data " + dataDir + "]";
  }

  /** Settings of a {@link KafkaBroker}; everything is optional. */
  public static final class Builder {
    private DevstackDist dist;
    private int port;
    private int controllerPort;
    private Path dataDir;
    private Path logFile;
    private Path runDir;
    private String portSetting;
    private String controllerPortSetting;
    private Duration startTimeout = Duration.ofSeconds(60);
    private String heap = "512m";
    private final List<String> jvmArgs = new ArrayList<>();
    private final Map<String, String> properties = new LinkedHashMap<>();

    private Builder() {}

    /** Where the broker jars are; default {@link DevstackDist#locate()}. */
    public Builder dist(DevstackDist dist) {
      this.dist = dist;
      return this;
    }

    /** Client port; 0 (default) picks an ephemeral one, kept across restarts of this broker. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Controller port; 0 (default) picks an ephemeral one. */
    public Builder controllerPort(int controllerPort) {
      this.controllerPort = controllerPort;
      return this;
    }

    /** Data directory, kept; default a temporary directory deleted by {@link #close()}. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /** Broker output; default {@code <dataDir>/kafka.log}. */
    public Builder logFile(Path logFile) {
      this.logFile = logFile;
      return this;
    }

    /** Directory for {@code kafka.pid}; default none. */
    public Builder runDir(Path runDir) {
      this.runDir = runDir;
      return this;
    }

    /** Settings named in the "port in use" errors, e.g. {@code BEAMLINE_KAFKA_PORT}. */
    public Builder portSettings(String portSetting, String controllerPortSetting) {
      this.portSetting = portSetting;
      this.controllerPortSetting = controllerPortSetting;
      return this;
    }

    /** How long {@link #start()} waits for the broker; default 60 s. */
    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = startTimeout;
      return this;
    }

    /** Maximum heap, e.g. {@code 512m} (default). */
    public Builder heap(String heap) {
      this.heap = heap;
      return this;
    }

    /** An extra JVM argument for the broker process. */
    public Builder jvmArg(String arg) {
      this.jvmArgs.add(arg);
      return this;
    }

    /** An extra or overriding {@code server.properties} entry. */
    public Builder property(String key, String value) {
      this.properties.put(key, value);
      return this;
    }

    /** The broker, not started yet. */
    public KafkaBroker build() {
      return new KafkaBroker(this);
    }
  }
}
