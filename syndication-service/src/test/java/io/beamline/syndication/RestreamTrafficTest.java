package io.beamline.syndication;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.devstack.test.MediaStack;
import io.beamline.devstack.test.TestApiKeys;
import io.beamline.events.Topics;
import io.beamline.syndication.messaging.StreamEventsConsumer;
import io.beamline.syndication.support.Blackhole;
import io.beamline.syndication.support.EventFeed;
import io.beamline.syndication.support.Probe;
import io.beamline.syndication.support.Publisher;
import io.beamline.syndication.support.TestNginx;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Restreaming with real traffic: a user's publish token carries a restream target, ffmpeg goes live
 * on the real media node (token-service and stream-service decide and announce it), and the push
 * reaches a second nginx-rtmp standing in for the partner, where ffprobe reads it. Partners that
 * refuse or vanish and come back, target changes on a live stream and the stream's end are played
 * with the same real processes.
 */
@QuarkusTest
class RestreamTrafficTest {

  private static final Set<String> ALL = Set.of("restream:read", "restream:write");
  private static final List<String> AV = List.of("aac", "h264");

  @Inject EntityManager em;

  private static MediaStack stack;
  private static TestNginx partner;
  private static String accountId;

  @BeforeAll
  static void platform() {
    stack = MediaStack.start();
    partner = TestNginx.onFreePort("partner-a").start();
    accountId =
        given()
            .header("Authorization", "Bearer " + stack.operatorKey())
            .get(stack.tokenServiceUrl() + "/api/auth/whoami")
            .then()
            .statusCode(200)
            .extract()
            .path("accountId");
  }

  @AfterAll
  static void stopPartner() {
    partner.close();
  }

  private static RequestSpecification api() {
    return given()
        .header(
            "Authorization",
            "Bearer " + TestApiKeys.apiKey(TestApiKeys.nextKeyId(), accountId, ALL))
        .contentType(ContentType.JSON);
  }

  private static RequestSpecification tokenService() {
    return given()
        .header("Authorization", "Bearer " + stack.operatorKey())
        .contentType(ContentType.JSON);
  }

  /** Creates a publish token for {@code stream} with {@code restream} targets: id and secret. */
  private static String[] publishToken(String stream, List<Map<String, Object>> restream) {
    JsonPath created =
        tokenService()
            .body(
                Map.of(
                    "label",
                    "restream test",
                    "streams",
                    List.of(Map.of("streamName", stream)),
                    "restream",
                    restream))
            .post(stack.tokenServiceUrl() + "/api/publish_token")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath();
    return new String[] {created.getString("data.id"), created.getString("data.token")};
  }

  private static Publisher goLive(String stream, String token) {
    return Publisher.start(stack.mediaNode().rtmpUrl() + "/" + stream + "?token=" + token);
  }

  private static List<Map<String, Object>> jobs(String stream) {
    return api()
        .get("/api/restream/jobs?streamName=" + stream)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("data");
  }

  /** Waits until a job of {@code stream} for {@code targetId} matches; returns it. */
  private static Map<String, Object> awaitJob(
      String stream, String targetPrefix, String state, Duration within) {
    AtomicReference<Map<String, Object>> found = new AtomicReference<>();
    await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              for (Map<String, Object> job : jobs(stream)) {
                if (((String) job.get("targetId")).startsWith(targetPrefix)
                    && state.equals(job.get("state"))) {
                  found.set(job);
                  return true;
                }
              }
              return false;
            });
    return found.get();
  }

  private static List<JsonNode> eventsOf(String topic, String jobId) {
    return EventFeed.readAll(topic).stream()
        .filter(e -> jobId.equals(e.path("jobId").asText()))
        .toList();
  }

  @Test
  void shouldPushTokenTargetToPartnerUntilStreamEnds() {
    String stream = "cam-" + UUID.randomUUID().toString().substring(0, 8);
    String key = "k1-" + UUID.randomUUID().toString().substring(0, 8);
    String[] token =
        publishToken(
            stream,
            List.of(
                Map.of("url", partner.url("partner"), "key", key, "label", "Partner A"),
                Map.of("url", partner.url("partner"), "key", key + "-off", "enabled", false)));
    String tokenTarget = "t" + token[0] + "-";
    try (Publisher publisher = goLive(stream, token[1])) {
      Map<String, Object> job = awaitJob(stream, tokenTarget, "live", Duration.ofSeconds(45));
      String jobId = (String) job.get("id");
      assertEquals(1, jobs(stream).size(), "one job: the disabled target gets none");
      assertEquals("Partner A", job.get("label"));
      assertTrue(((String) job.get("targetUrl")).endsWith("/partner/****"));

      // The partner serves what we push: a viewer there reads video and audio.
      assertEquals(AV, Probe.codecs(partner.url("partner") + "/" + key));

      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> !eventsOf(Topics.RESTREAM_STARTED, jobId).isEmpty());
      JsonNode started = eventsOf(Topics.RESTREAM_STARTED, jobId).get(0);
      assertEquals(accountId + "/" + stream, started.path("streamId").asText());
      assertEquals(Long.parseLong(token[0]), started.path("tokenId").asLong());
      assertFalse(started.toString().contains(key), "no stream key in events");

      // The user removes the target from the token: the push stops within seconds.
      tokenService()
          .body(Map.of("restream", List.of()))
          .put(stack.tokenServiceUrl() + "/api/v2/publish_token/" + token[0])
          .then()
          .statusCode(200);
      Map<String, Object> stopped =
          awaitJob(stream, tokenTarget, "stopped", Duration.ofSeconds(15));
      assertEquals(jobId, stopped.get("id"));
      assertEquals("target-removed", stopped.get("stopReason"));

      // ...and puts it back: a new job goes live.
      tokenService()
          .body(Map.of("restream", List.of(Map.of("url", partner.url("partner"), "key", key))))
          .put(stack.tokenServiceUrl() + "/api/v2/publish_token/" + token[0])
          .then()
          .statusCode(200);
      Map<String, Object> again = awaitJob(stream, tokenTarget, "live", Duration.ofSeconds(30));
      assertNotEquals(jobId, again.get("id"));
      String secondJob = (String) again.get("id");

      // The publisher leaves: stream-ended stops the job, with what it pushed.
      publisher.close();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  jobs(stream).stream()
                      .anyMatch(
                          j ->
                              secondJob.equals(j.get("id"))
                                  && "stream-ended".equals(j.get("stopReason"))));
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> !eventsOf(Topics.RESTREAM_STOPPED, secondJob).isEmpty());
      JsonNode stoppedEvent = eventsOf(Topics.RESTREAM_STOPPED, secondJob).get(0);
      assertEquals("stream-ended", stoppedEvent.path("reason").asText());
      assertTrue(stoppedEvent.path("bytesOut").asLong() > 0, "bytes pushed: " + stoppedEvent);
    }
  }

  @Test
  void shouldRetryFailAndRecoverWhenPartnerVanishesWithoutTouchingOtherTargets() {
    String stream = "cam-" + UUID.randomUUID().toString().substring(0, 8);
    String keyA = "ka-" + UUID.randomUUID().toString().substring(0, 8);
    String keyB = "kb-" + UUID.randomUUID().toString().substring(0, 8);
    try (TestNginx partnerB = TestNginx.onFreePort("partner-b").start()) {
      String targetB =
          api()
              .body(
                  Map.of(
                      "streamName",
                      stream,
                      "url",
                      partnerB.url("partner"),
                      "key",
                      keyB,
                      "label",
                      "Partner B"))
              .post("/api/restream/targets")
              .then()
              .statusCode(201)
              .extract()
              .path("data.id");
      String[] token =
          publishToken(stream, List.of(Map.of("url", partner.url("partner"), "key", keyA)));
      try (Publisher publisher = goLive(stream, token[1])) {
        String jobA = (String) awaitJob(stream, "t", "live", Duration.ofSeconds(45)).get("id");
        String jobB =
            (String) awaitJob(stream, "s-" + targetB, "live", Duration.ofSeconds(30)).get("id");
        assertEquals(List.of("aac", "h264"), Probe.codecs(partnerB.url("partner") + "/" + keyB));

        // Partner B vanishes: its job retries; partner A and the origin do not notice.
        partnerB.kill();
        awaitJob(stream, "s-" + targetB, "retrying", Duration.ofSeconds(20));
        // It comes back before the job gives up: the same job is live again.
        partnerB.start();
        Map<String, Object> back = awaitJob(stream, "s-" + targetB, "live", Duration.ofSeconds(30));
        assertEquals(jobB, back.get("id"));
        assertTrue((Integer) back.get("attempt") > 1, "reconnected: " + back);

        // It vanishes for good: retrying, then failed after the configured attempts.
        partnerB.kill();
        Map<String, Object> failed =
            awaitJob(stream, "s-" + targetB, "failed", Duration.ofSeconds(30));
        assertEquals(jobB, failed.get("id"));
        await()
            .atMost(Duration.ofSeconds(15))
            .until(
                () ->
                    eventsOf(Topics.RESTREAM_FAILED, jobB).stream()
                        .anyMatch(e -> !e.path("retrying").asBoolean()));
        List<JsonNode> failures = eventsOf(Topics.RESTREAM_FAILED, jobB);
        assertTrue(
            failures.stream().anyMatch(e -> e.path("retrying").asBoolean()),
            "retrying before failed: " + failures);
        assertEquals(
            "connection-refused",
            failures.get(failures.size() - 1).path("reason").asText(),
            failures.toString());

        // The other target and the origin stream were never affected.
        assertTrue(publisher.isAlive());
        assertEquals(
            "live",
            jobs(stream).stream()
                .filter(j -> jobA.equals(j.get("id")))
                .findFirst()
                .get()
                .get("state"));
        assertEquals(AV, Probe.codecs(partner.url("partner") + "/" + keyA));

        // Partner B is back; a sync starts a new job for it.
        partnerB.start();
        api().body(Map.of("streamName", stream)).post("/api/restream/sync").then().statusCode(200);
        Map<String, Object> recovered =
            awaitJob(stream, "s-" + targetB, "live", Duration.ofSeconds(30));
        assertNotEquals(jobB, recovered.get("id"));

        // Disabling the target on the live stream stops its push within seconds.
        api()
            .body(Map.of("enabled", false))
            .patch("/api/restream/targets/" + targetB)
            .then()
            .statusCode(200);
        Map<String, Object> disabled =
            awaitJob(stream, "s-" + targetB, "stopped", Duration.ofSeconds(5));
        assertEquals(recovered.get("id"), disabled.get("id"));
        assertEquals("target-disabled", disabled.get("stopReason"));
      }
    }
  }

  @Test
  void shouldTimeOutAndRetryWhenTargetIsABlackhole() {
    String stream = "cam-" + UUID.randomUUID().toString().substring(0, 8);
    try (Blackhole dropping = Blackhole.dropping();
        Blackhole silent = Blackhole.silent()) {
      String[] token =
          publishToken(
              stream,
              List.of(
                  Map.of("url", dropping.url("partner"), "key", "kdrop-" + stream),
                  Map.of("url", silent.url("partner"), "key", "ksilent-" + stream)));
      try (Publisher publisher = goLive(stream, token[1])) {
        await().atMost(Duration.ofSeconds(45)).until(() -> jobs(stream).size() == 2);
        for (Map<String, Object> job : jobs(stream)) {
          String jobId = (String) job.get("id");
          // Each attempt ends with a timeout (connect: ffmpeg's 5 s; handshake: io-timeout, 2 s in
          // tests) and the job retries, instead of hanging on the first attempt.
          await("two timed-out attempts of " + job.get("targetUrl"))
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(250))
              .until(() -> eventsOf(Topics.RESTREAM_FAILED, jobId).size() >= 2);
          List<JsonNode> failures = eventsOf(Topics.RESTREAM_FAILED, jobId);
          for (JsonNode failure : failures.subList(0, 2)) {
            assertEquals("timeout", failure.path("reason").asText(), failures.toString());
            assertTrue(failure.path("retrying").asBoolean(), failures.toString());
          }
          assertTrue(
              failures.get(1).path("attempt").asInt() > failures.get(0).path("attempt").asInt());
        }
        assertTrue(publisher.isAlive(), "the origin stream is unaffected");
      }
    }
  }

  @Test
  void shouldKeepPartnerFedWhenPrimaryPublisherDiesAndBackupTakesOver() {
    String stream = "cam-" + UUID.randomUUID().toString().substring(0, 8);
    String key = "kf-" + UUID.randomUUID().toString().substring(0, 8);
    String[] token =
        publishToken(stream, List.of(Map.of("url", partner.url("partner"), "key", key)));
    String base = stack.mediaNode().rtmpUrl() + "/" + stream + "?token=" + token[1];
    try (Publisher backup = Publisher.start(base + "&priority=1")) {
      Publisher primary = Publisher.start(base + "&priority=10");
      try {
        Map<String, Object> live = awaitJob(stream, "t", "live", Duration.ofSeconds(45));
        String jobId = (String) live.get("id");
        int attempt = (Integer) live.get("attempt");
        // The push reads the served feed: the primary's, once both are up.
        await().atMost(Duration.ofSeconds(20)).until(() -> monitoringFeeds(stream) == 2);
        assertEquals(AV, Probe.codecs(partner.url("partner") + "/" + key));

        primary.close();
        // stream-service switches viewers to the backup and drops the old feed's readers; the job
        // asks for the new pull URL and goes live again: same job, a later attempt.
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(250))
            .until(
                () ->
                    jobs(stream).stream()
                        .anyMatch(
                            j ->
                                jobId.equals(j.get("id"))
                                    && "live".equals(j.get("state"))
                                    && (Integer) j.get("attempt") > attempt));
        assertTrue(backup.isAlive());
        assertEquals(AV, Probe.codecs(partner.url("partner") + "/" + key));
        assertTrue(
            eventsOf(Topics.RESTREAM_FAILED, jobId).stream()
                .noneMatch(e -> !e.path("retrying").asBoolean()),
            "the job never gave up");
      } finally {
        primary.close();
      }
    }
  }

  @Test
  void shouldTakeOverJobsOfAnInstanceThatDiedWhenItsPartitionsComeBack() throws Exception {
    // A stream whose partition the first range of a two-member group gets (0-2).
    String stream;
    do {
      stream = "cam-" + UUID.randomUUID().toString().substring(0, 8);
    } while (partitionOf(accountId + "/" + stream) > 2);
    String key = "kt-" + UUID.randomUUID().toString().substring(0, 8);
    String[] token =
        publishToken(stream, List.of(Map.of("url", partner.url("partner"), "key", key)));
    String finalStream = stream;
    try (Publisher publisher = goLive(stream, token[1])) {
      Map<String, Object> live = awaitJob(stream, "t", "live", Duration.ofSeconds(45));
      String jobId = (String) live.get("id");
      String me = (String) live.get("owner");
      int attempt = (Integer) live.get("attempt");

      // Another instance joins the group and is assigned the stream's partition: this instance
      // kills its push and lets go of the job, which stays active.
      try (KafkaConsumer<String, String> other = otherInstance()) {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  other.poll(Duration.ofMillis(200));
                  return other.assignment().stream()
                      .anyMatch(
                          tp ->
                              tp.topic().equals(Topics.STREAM_STARTED)
                                  && tp.partition() == partitionOf(accountId + "/" + finalStream));
                });
        await()
            .atMost(Duration.ofSeconds(15))
            .until(
                () ->
                    jobs(finalStream).stream()
                        .anyMatch(j -> jobId.equals(j.get("id")) && j.get("owner") == null));
        // The other instance claims it, as it would, and then dies without a word.
        QuarkusTransaction.requiringNew()
            .run(
                () ->
                    em.createNativeQuery(
                            "update restream_job set owner = 'crashed-instance',"
                                + " lease_until = now() - interval '1 second' where id = ?1")
                        .setParameter(1, UUID.fromString(jobId))
                        .executeUpdate());
      }
      // Its partitions come back to this instance, which takes the job over: same job, live again.
      await()
          .atMost(Duration.ofSeconds(45))
          .pollInterval(Duration.ofMillis(250))
          .until(
              () ->
                  jobs(finalStream).stream()
                      .anyMatch(
                          j ->
                              jobId.equals(j.get("id"))
                                  && me.equals(j.get("owner"))
                                  && "live".equals(j.get("state"))
                                  && (Integer) j.get("attempt") > attempt));
      assertEquals(AV, Probe.codecs(partner.url("partner") + "/" + key));
      assertTrue(publisher.isAlive());
    }
  }

  @Test
  void shouldCountPartnerViewersByTrackingId() throws Exception {
    String stream = "cam-" + UUID.randomUUID().toString().substring(0, 8);
    String trackingId = "partner-" + UUID.randomUUID().toString().substring(0, 8);
    String[] token = publishToken(stream, List.of());
    String subscribeToken =
        tokenService()
            .body(
                Map.of(
                    "label", "Northwind TV",
                    "streams", List.of(Map.of("streamName", stream)),
                    "tracking", Map.of("trackingId", trackingId)))
            .post(stack.tokenServiceUrl() + "/api/subscribe_token")
            .then()
            .statusCode(201)
            .extract()
            .path("data.token");
    try (Publisher publisher = goLive(stream, token[1])) {
      await().atMost(Duration.ofSeconds(20)).until(() -> monitoringFeeds(stream) == 1);
      // The partner's viewer watches for a few seconds through its tracked subscribe token.
      Process viewer =
          new ProcessBuilder(
                  "ffmpeg",
                  "-nostdin",
                  "-loglevel",
                  "error",
                  "-t",
                  "3",
                  "-i",
                  stack.mediaNode().rtmpUrl() + "/" + stream + "?token=" + subscribeToken,
                  "-f",
                  "null",
                  "-")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      try {
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    api().get("/api/restream/partners/" + trackingId).statusCode() == 200
                        && api()
                                .get("/api/restream/partners/" + trackingId)
                                .jsonPath()
                                .getInt("data.total.viewers")
                            == 1);
        assertEquals(0, viewer.waitFor(), "the viewer played");
      } finally {
        viewer.destroyForcibly();
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  EventFeed.readAll(Topics.VIEWER_LEFT).stream()
                      .anyMatch(e -> trackingId.equals(e.path("trackingId").asText())));
      JsonNode left =
          EventFeed.readAll(Topics.VIEWER_LEFT).stream()
              .filter(e -> trackingId.equals(e.path("trackingId").asText()))
              .findFirst()
              .get();
      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () ->
                  api()
                          .get("/api/restream/partners/" + trackingId)
                          .jsonPath()
                          .getInt("data.total.viewers")
                      == 0);
      JsonPath partnerView =
          api()
              .get("/api/restream/partners/" + trackingId)
              .then()
              .statusCode(200)
              .extract()
              .jsonPath();
      assertEquals(1, partnerView.getInt("data.total.sessions"));
      assertEquals(left.path("bytesOut").asLong(), partnerView.getLong("data.total.bytesOut"));
      assertEquals(
          left.path("watchedSeconds").asLong(), partnerView.getLong("data.total.watchedSeconds"));
      assertEquals(stream, partnerView.getString("data.streams[0].streamName"));
      assertTrue(
          api().get("/api/restream/partners").jsonPath().getList("data").contains(trackingId));
      // Another account does not see the partner.
      given()
          .header(
              "Authorization",
              "Bearer " + TestApiKeys.apiKey(TestApiKeys.nextKeyId(), "someone-else", ALL))
          .get("/api/restream/partners/" + trackingId)
          .then()
          .statusCode(404);
      assertTrue(publisher.isAlive());
    }
  }

  /** A second member of the service's consumer group, sorted first so the range gives it 0-2. */
  private static KafkaConsumer<String, String> otherInstance() {
    Properties p = new Properties();
    p.put(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BeamlineInfraResource.kafka().bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "syndication-service");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "a-second-instance");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
    KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p);
    consumer.subscribe(StreamEventsConsumer.TOPICS);
    return consumer;
  }

  private static int partitionOf(String streamId) {
    return Utils.toPositive(Utils.murmur2(streamId.getBytes(StandardCharsets.UTF_8)))
        % Topics.STREAM_PARTITIONS;
  }

  private static int monitoringFeeds(String stream) {
    List<Map<String, Object>> streams =
        tokenService()
            .get(stack.streamServiceUrl() + "/api/monitoring/streams?active=true")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("data");
    return streams.stream()
        .filter(s -> stream.equals(s.get("streamName")))
        .mapToInt(s -> ((List<?>) s.get("feeds")).size())
        .sum();
  }
}
