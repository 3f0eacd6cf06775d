package io.beamline.syndication;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.devstack.Ports;
import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.devstack.test.MediaStack;
import io.beamline.devstack.test.ServiceProcess;
import io.beamline.syndication.support.Probe;
import io.beamline.syndication.support.Publisher;
import io.beamline.syndication.support.TestNginx;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.ConsumerGroupState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Crash safety with real processes: two packaged syndication-service instances share the stream
 * partitions; the one pushing a live stream to the partner is SIGKILLed. Its ffmpeg dies with it
 * (no duplicate broadcast), and the other instance, assigned the partition by Kafka, takes the same
 * job over and the partner receives the stream again.
 */
class SyndicationCrashIT {

  /** A fixed test-only master key: the IT's database may outlive one run. */
  private static final String MASTER_KEY = "Y3Jhc2gtaXQtb25seS1zeW5kaWNhdGlvbi1rZXkhIT0=";

  private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);

  /**
   * Kill to live again: Kafka notices the dead member after the session timeout (6 s) and
   * rebalances (a few seconds more on a busy machine); the survivor claims the job at once and its
   * ffmpeg needs about 3 s to connect and show two progress reports.
   */
  private static final Duration TAKEOVER_BOUND = Duration.ofSeconds(35);

  private static final String GROUP = "syndication-service";
  private static final List<ServiceProcess> instances = new ArrayList<>();
  private static MediaStack stack;
  private static TestNginx partner;
  private static String bootstrapServers;

  @BeforeAll
  static void startTwoInstances() {
    BeamlineInfraResource infra = new BeamlineInfraResource();
    infra.init(Map.of(BeamlineInfraResource.DATABASE, "syndication_crash_it"));
    Map<String, String> config = infra.start();
    bootstrapServers = config.get("kafka.bootstrap.servers");
    stack = MediaStack.start();
    partner = TestNginx.onFreePort("crash-partner").start();
    Path jar =
        Path.of(
            System.getProperty("beamline.syndication.jar", "target/quarkus-app/quarkus-run.jar"));
    for (String name : List.of("a", "b")) {
      Map<String, String> env = new LinkedHashMap<>();
      env.put("QUARKUS_HTTP_HOST", Ports.LOOPBACK);
      env.put("QUARKUS_DATASOURCE_JDBC_URL", config.get("quarkus.datasource.jdbc.url"));
      env.put("QUARKUS_DATASOURCE_USERNAME", config.get("quarkus.datasource.username"));
      env.put("QUARKUS_DATASOURCE_PASSWORD", config.get("quarkus.datasource.password"));
      env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
      env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", stack.jwksUrl());
      env.put("MP_JWT_VERIFY_ISSUER", stack.issuer());
      env.put("BEAMLINE_OUTBOX_POLL_INTERVAL", "100ms");
      env.put("BEAMLINE_SYNDICATION_TOKEN_SERVICE_URL", stack.tokenServiceUrl());
      env.put("BEAMLINE_SYNDICATION_STREAM_SERVICE_URL", stack.streamServiceUrl());
      env.put("BEAMLINE_SYNDICATION_INTERNAL_KEY_FILE", stack.internalKeyFile().toString());
      env.put("BEAMLINE_SYNDICATION_ALLOWED_TARGET_CIDRS", "127.0.0.0/8");
      env.put("BEAMLINE_SYNDICATION_SECRETS_MASTER_KEY", MASTER_KEY);
      env.put("BEAMLINE_SYNDICATION_JOBS_INSTANCE_ID", "crash-it-" + name);
      env.put("BEAMLINE_SYNDICATION_JOBS_GROUP_ID", GROUP);
      env.put("BEAMLINE_SYNDICATION_JOBS_SESSION_TIMEOUT", SESSION_TIMEOUT.toSeconds() + "s");
      env.put("BEAMLINE_SYNDICATION_JOBS_LEASE", "5s");
      env.put("BEAMLINE_SYNDICATION_JOBS_RECONCILE_INTERVAL", "500ms");
      env.put("BEAMLINE_SYNDICATION_JOBS_RETRY_BASE", "500ms");
      env.put("BEAMLINE_SYNDICATION_JOBS_RETRY_MAX", "2s");
      instances.add(
          new ServiceProcess(
                  jar,
                  Ports.freePort(),
                  env,
                  Path.of("target/syndication-crash-it/syndication-" + name + ".log")
                      .toAbsolutePath())
              .start());
    }
    instances.forEach(i -> i.awaitReady(Duration.ofSeconds(120)));
  }

  @AfterAll
  static void stopAll() {
    instances.forEach(ServiceProcess::close);
    if (partner != null) {
      partner.close();
    }
  }

  @Test
  void shouldTakeOverThePushWithoutOrphanWhenOwnerIsKilled() throws Exception {
    awaitBothMembersInGroup();
    String stream = "crash-" + UUID.randomUUID().toString().substring(0, 8);
    String key = "kc-" + UUID.randomUUID().toString().substring(0, 8);
    String token = publishToken(stream, key);
    String partnerUrl = partner.url("partner") + "/" + key;
    try (Publisher publisher =
        Publisher.start(stack.mediaNode().rtmpUrl() + "/" + stream + "?token=" + token)) {
      Map<String, Object> live = awaitLive(stream, null, Duration.ofSeconds(60));
      String jobId = (String) live.get("id");
      String ownerId = (String) live.get("owner");
      ServiceProcess owner = instanceNamed(ownerId);
      ServiceProcess survivor = instances.get(instances.indexOf(owner) == 0 ? 1 : 0);
      assertEquals(List.of("aac", "h264"), Probe.codecs(partnerUrl));

      List<Long> pushes = pushesTo(key);
      assertEquals(1, pushes.size(), "one ffmpeg pushes the stream: " + pushes);
      assertTrue(
          owner.handle().descendants().anyMatch(p -> p.pid() == pushes.get(0)),
          "the owner instance runs it");

      owner.kill();
      Instant killed = Instant.now();

      // The kernel kills the dead JVM's ffmpeg (parent-death signal): no duplicate broadcast.
      await("the killed instance's ffmpeg dies with it")
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> !running(pushes.get(0)));
      Duration orphanGone = Duration.between(killed, Instant.now());

      // The survivor is assigned the partition and takes the same job over.
      Map<String, Object> again =
          awaitLive(stream, survivorId(ownerId), TAKEOVER_BOUND, survivor, jobId);
      Duration takeover = Duration.between(killed, Instant.now());
      assertNotEquals(ownerId, again.get("owner"));
      assertTrue((Integer) again.get("attempt") > (Integer) live.get("attempt"));
      assertEquals(List.of("aac", "h264"), Probe.codecs(partnerUrl));
      List<Long> after = pushesTo(key);
      assertEquals(1, after.size(), "exactly one push after the takeover: " + after);
      assertTrue(
          survivor.handle().descendants().anyMatch(p -> p.pid() == after.get(0)),
          "the survivor runs it");
      assertTrue(publisher.isAlive(), "the publisher is unaffected");
      System.out.printf(
          "[syndication-crash-it] orphan ffmpeg gone %d ms after the kill; job live on the"
              + " survivor %d ms after the kill%n",
          orphanGone.toMillis(), takeover.toMillis());
    }
  }

  private static String survivorId(String ownerId) {
    return ownerId.endsWith("-a") ? "crash-it-b" : "crash-it-a";
  }

  private static ServiceProcess instanceNamed(String instanceId) {
    return instances.get(instanceId.endsWith("-a") ? 0 : 1);
  }

  /** Both instances are members of the consumer group, so the survivor is really standing by. */
  private static void awaitBothMembersInGroup() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(p)) {
      await("two stable members in " + GROUP)
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                ConsumerGroupDescription group =
                    admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP);
                return group.state() == ConsumerGroupState.STABLE
                    && group.members().stream()
                            .filter(m -> m.clientId().startsWith("syndication-service"))
                            .count()
                        == 2;
              });
    }
  }

  private static String publishToken(String stream, String key) {
    JsonPath created =
        given()
            .header("Authorization", "Bearer " + stack.operatorKey())
            .contentType(ContentType.JSON)
            .body(
                Map.of(
                    "label",
                    "crash test",
                    "streams",
                    List.of(Map.of("streamName", stream)),
                    "restream",
                    List.of(Map.of("url", partner.url("partner"), "key", key))))
            .post(stack.tokenServiceUrl() + "/api/publish_token")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath();
    return created.getString("data.token");
  }

  private static Map<String, Object> awaitLive(String stream, String owner, Duration within) {
    return awaitLive(stream, owner, within, instances.get(0), null);
  }

  /** Waits until the stream's job (of {@code jobId} if given) is live, owned by {@code owner}. */
  private static Map<String, Object> awaitLive(
      String stream, String owner, Duration within, ServiceProcess via, String jobId) {
    AtomicReference<Map<String, Object>> found = new AtomicReference<>();
    await("job of " + stream + " live" + (owner == null ? "" : " on " + owner))
        .atMost(within)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              for (Map<String, Object> job : jobs(via, stream)) {
                if ("live".equals(job.get("state"))
                    && (owner == null || owner.equals(job.get("owner")))
                    && (jobId == null || jobId.equals(job.get("id")))) {
                  found.set(job);
                  return true;
                }
              }
              return false;
            });
    return found.get();
  }

  private static List<Map<String, Object>> jobs(ServiceProcess via, String stream) {
    return given()
        .header("Authorization", "Bearer " + stack.operatorKey())
        .get(via.baseUrl() + "/api/restream/jobs?streamName=" + stream)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("data");
  }

  /**
   * Running ffmpeg processes (not zombies) whose command line pushes to the partner {@code key}.
   */
  private static List<Long> pushesTo(String key) {
    return ProcessHandle.allProcesses()
        .filter(p -> running(p.pid()))
        .filter(
            p -> {
              String cmd = cmdline(p.pid());
              return cmd.contains("ffmpeg") && cmd.contains("/partner/" + key);
            })
        .map(ProcessHandle::pid)
        .toList();
  }

  /**
   * Whether {@code pid} exists and is not a zombie: a killed child of a dead JVM stays a zombie
   * until init reaps it, and kill(0) alone would call it alive.
   */
  private static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return !"Z".equals(state) && !"X".equals(state);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static String cmdline(long pid) {
    try {
      return new String(
              Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
              StandardCharsets.UTF_8)
          .replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }
}
