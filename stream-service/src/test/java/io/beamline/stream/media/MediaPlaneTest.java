package io.beamline.stream.media;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.devstack.test.TestMedia;
import io.beamline.events.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The media plane with real traffic: the real token-service, a real nginx-rtmp node, ffmpeg
 * publishing lavfi test video, ffprobe playing RTMP and HLS, and the events read back from Kafka.
 */
@QuarkusTest
@QuarkusTestResource(value = TokenServiceProcess.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = MediaNodeResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MediaPlaneTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final List<Process> FFMPEGS = new ArrayList<>();

  @jakarta.inject.Inject javax.sql.DataSource dataSource;

  private static String operatorKey;
  private static String accountId;
  private static long publishTokenId;
  private static String publishToken;
  private static String subscribeToken;
  private static Process camA;

  @BeforeAll
  static void tokens() throws Exception {
    operatorKey = TokenServiceProcess.operatorKey();
    accountId = tokenService("GET", "/api/accounts/me", null).get("id").asText();
    JsonNode publish =
        tokenService(
                "POST",
                "/api/publish_token",
                "{\"label\":\"studio\",\"streams\":[{\"streamName\":\"^cam-.*$\",\"isRegex\":true}]}")
            .get("data");
    publishTokenId = publish.get("id").asLong();
    publishToken = publish.get("token").asText();
    subscribeToken =
        tokenService(
                "POST",
                "/api/subscribe_token",
                "{\"label\":\"viewers\",\"streams\":[{\"streamName\":\".*\",\"isRegex\":true}]}")
            .get("data")
            .get("token")
            .asText();
  }

  @AfterAll
  static void stopPublishers() {
    FFMPEGS.forEach(Process::destroyForcibly);
  }

  @Test
  @Order(1)
  void publishWithATokenGoesLiveAndRtmpAndHlsViewersWatch() throws Exception {
    camA = publish("cam-a", "?token=" + publishToken);
    JsonNode stream = awaitLive("cam-a");
    assertEquals(accountId + "/cam-a", stream.get("streamId").asText());
    assertEquals(1, stream.get("feeds").size());
    String feedId = stream.get("feeds").get(0).get("feedId").asText();

    JsonNode director =
        readTree(
                director(
                        "/api/director/subscribe",
                        subscribeToken,
                        Map.of("streamName", "cam-a", "streamAccountId", accountId))
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString())
            .get("data");
    String hls = url(director, "hls");
    String rtmp = url(director, "rtmp");
    assertTrue(hls.endsWith("/master.m3u8"), hls);
    // The master names the main rendition, whose media playlist is the feed's segments.
    assertTrue(text(hls).contains("\nrv-main-any.m3u8\n"), text(hls));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> textIfServed(firstRendition(hls)).contains("\n" + feedId + "-"));

    assertTrue(probe(rtmp).contains("h264"), "RTMP playback through the Director's URL");
    await().atMost(Duration.ofSeconds(20)).until(() -> probe(hls).contains("h264"));

    // A forged grant never reaches the files: nginx asks stream-service, which refuses.
    String forged = hls.replaceFirst("/hls/[^/]+/", "/hls/not-a-grant/");
    assertEquals(403, get(forged));
    assertEquals(403, get(forged.replace("master.m3u8", "rv-main-any.m3u8")));
    assertEquals(403, get(forged.replace("master.m3u8", feedId + ".m3u8")));

    // RTMP viewers leave with their connection, HLS viewers after the idle timeout (4 s here).
    List<JsonNode> left = awaitEvents(Topics.VIEWER_LEFT, "cam-a", 2, Duration.ofSeconds(30));
    List<String> protocols = left.stream().map(e -> e.get("protocol").asText()).sorted().toList();
    assertTrue(protocols.containsAll(List.of("hls", "rtmp")), protocols.toString());
    // The HLS viewer's bytes come from the node's traffic log (nginx-rtmp's /stat has RTMP only):
    // ffprobe read at least a segment of 320x240 video with sound.
    JsonNode hlsLeft =
        left.stream().filter(e -> e.get("protocol").asText().equals("hls")).findFirst().get();
    assertTrue(hlsLeft.get("bytesOut").asLong() > 10_000, "HLS bytes out of " + hlsLeft);
    // A line without the node's key counts for nothing.
    double refusedBefore = metric("beamline_media_hls_traffic_lines_refused_total");
    String forgedLine =
        "<190>Nov 25 12:00:00 beamline_hls: wrong-key "
            + URI.create(hls).getRawPath().replace("master.m3u8", feedId + "-0.ts")
            + " 999999999 200";
    try (java.net.DatagramSocket udp = new java.net.DatagramSocket()) {
      byte[] bytes = forgedLine.getBytes(StandardCharsets.UTF_8);
      udp.send(
          new java.net.DatagramPacket(
              bytes,
              bytes.length,
              java.net.InetAddress.getLoopbackAddress(),
              org.eclipse.microprofile.config.ConfigProvider.getConfig()
                  .getValue("beamline.stream.media-node.traffic-log-port", Integer.class)));
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> metric("beamline_media_hls_traffic_lines_refused_total") > refusedBefore);
    List<JsonNode> joined = awaitEvents(Topics.VIEWER_JOINED, "cam-a", 2, Duration.ofSeconds(5));
    assertTrue(joined.stream().allMatch(e -> e.get("tokenId").isNumber()));
    // stream-stats carries the traffic per feed too, adding up to the stream's.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                events(Topics.STREAM_STATS, "cam-a").stream()
                    .anyMatch(
                        e -> e.get("bytesIn").asLong() > 0 && e.get("bytesOut").asLong() > 0));
    for (JsonNode stats : events(Topics.STREAM_STATS, "cam-a")) {
      long in = 0;
      long out = 0;
      for (JsonNode f : stats.get("feeds")) {
        assertEquals(feedId, f.get("feedId").asText(), stats.toString());
        in += f.get("bytesIn").asLong();
        out += f.get("bytesOut").asLong();
      }
      assertEquals(stats.get("bytesIn").asLong(), in, stats.toString());
      assertEquals(stats.get("bytesOut").asLong(), out, stats.toString());
    }

    JsonNode started = awaitEvents(Topics.STREAM_STARTED, "cam-a", 1, Duration.ofSeconds(5)).get(0);
    assertEquals(publishTokenId, started.get("tokenId").asLong());
    assertEquals(feedId, started.get("feedId").asText());
    JsonNode feed = awaitEvents(Topics.FEED_STARTED, "cam-a", 1, Duration.ofSeconds(5)).get(0);
    assertEquals("rtmp", feed.get("protocol").asText());
    assertTrue(camA.isAlive(), "the publisher is still live");
  }

  @Test
  @Order(2)
  void aBadTokenIsRefusedByTheMediaServerAndTheDirector() throws Exception {
    Process bad = publish("cam-bad", "?token=" + "0".repeat(64));
    assertTrue(bad.waitFor(15, TimeUnit.SECONDS), "nginx refused the publisher");
    assertNotEquals(0, bad.exitValue());
    Process none = publish("cam-bad", "");
    assertTrue(none.waitFor(15, TimeUnit.SECONDS), "no token, no publish");
    given()
        .auth()
        .oauth2(operatorKey)
        .get("/api/monitoring/streams/cam-bad")
        .then()
        .statusCode(404);

    director("/api/director/publish", "0".repeat(64), Map.of("streamName", "cam-bad"))
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .body("reason", equalTo("token_not_found"));
    // The publish token only allows cam-*: token-service's reason reaches the caller.
    director("/api/director/publish", publishToken, Map.of("streamName", "other"))
        .then()
        .statusCode(403)
        .body("reason", equalTo("stream_not_allowed"));
    director("/api/director/publish", publishToken, Map.of("streamName", ""))
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
  }

  @Test
  @Order(3)
  void theDirectorsPublishUrlWorksAndStopEndsTheStream() throws Exception {
    JsonNode data =
        readTree(
                director("/api/director/publish", publishToken, Map.of("streamName", "cam-b"))
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString())
            .get("data");
    assertEquals(accountId, data.get("streamAccountId").asText());
    String rtmp = data.get("urls").get(0).asText();
    assertTrue(rtmp.contains("/live/cam-b?jwt="), rtmp);
    Process camB = publishTo(rtmp);
    awaitLive("cam-b");

    // Another account's key sees a 404 for this stream, exactly as for an unknown one.
    String otherKey = otherAccountKey();
    given()
        .auth()
        .oauth2(otherKey)
        .contentType(ContentType.JSON)
        .body(Map.of("streamId", accountId + "/cam-b"))
        .post("/api/stream/stop")
        .then()
        .statusCode(404);

    given()
        .auth()
        .oauth2(operatorKey)
        .contentType(ContentType.JSON)
        .body(Map.of("streamId", "cam-b"))
        .post("/api/stream/stop")
        .then()
        .statusCode(200)
        .body("data.stoppingLevel", equalTo("Stream"));
    assertTrue(camB.waitFor(5, TimeUnit.SECONDS), "the media node dropped the publisher");
    JsonNode ended = awaitEvents(Topics.STREAM_ENDED, "cam-b", 1, Duration.ofSeconds(10)).get(0);
    assertEquals("stopped", ended.get("reason").asText());
    assertEquals(
        "stopped",
        awaitEvents(Topics.FEED_ENDED, "cam-b", 1, Duration.ofSeconds(5))
            .get(0)
            .get("reason")
            .asText());
  }

  @Test
  @Order(4)
  void revokingThePublishTokenDropsItsPublisherWithinTwoSeconds() throws Exception {
    assertTrue(camA.isAlive(), "cam-a still publishing");
    long start = System.nanoTime();
    tokenService("DELETE", "/api/publish_token/" + publishTokenId, null);
    assertTrue(camA.waitFor(10, TimeUnit.SECONDS), "the publisher was dropped");
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.printf(
        "[media-plane] publisher dropped %d ms after the token was deleted%n", millis);
    assertTrue(millis < 2_000, "dropped after " + millis + " ms");
    JsonNode ended = awaitEvents(Topics.FEED_ENDED, "cam-a", 1, Duration.ofSeconds(10)).get(0);
    assertEquals("token-revoked", ended.get("reason").asText());
    // Byte counters come from the node's /stat (read every second here).
    assertTrue(ended.get("bytesIn").asLong() > 10_000, "bytesIn of " + ended);
    awaitEvents(Topics.STREAM_ENDED, "cam-a", 1, Duration.ofSeconds(10));

    // Every event of cam-a carries the stream's own sequence: one number each, without gaps,
    // starting with stream-started and closing with stream-ended.
    List<JsonNode> all = new ArrayList<>();
    for (String topic : Topics.STREAM_TOPICS) {
      all.addAll(
          events(topic, "cam-a").stream()
              .peek(e -> ((com.fasterxml.jackson.databind.node.ObjectNode) e).put("_topic", topic))
              .toList());
    }
    all.sort(Comparator.comparingLong(e -> e.get("sequence").asLong()));
    for (int i = 0; i < all.size(); i++) {
      assertEquals(i + 1, all.get(i).get("sequence").asLong(), "sequence of " + all.get(i));
    }
    assertEquals(Topics.STREAM_STARTED, all.get(0).get("_topic").asText());
    // Only the traffic of the stream's last moments may follow its end.
    List<String> lifecycle =
        all.stream()
            .map(e -> e.get("_topic").asText())
            .filter(topic -> !topic.equals(Topics.STREAM_STATS))
            .toList();
    assertEquals(Topics.STREAM_ENDED, lifecycle.get(lifecycle.size() - 1));
    given()
        .auth()
        .oauth2(operatorKey)
        .get("/api/monitoring/streams/cam-a")
        .then()
        .statusCode(200)
        .body("data.state", equalTo("ended"))
        .body("data.viewerCount", equalTo(0));
  }

  @Test
  @Order(5)
  void anRtmpViewerWithItsTokenIsDroppedWhenTheTokenIsDisabled() throws Exception {
    JsonNode pub =
        tokenService(
                "POST",
                "/api/publish_token",
                "{\"label\":\"second\",\"streams\":[{\"streamName\":\"cam-d\"}],"
                    + "\"multisource\":false}")
            .get("data");
    JsonNode sub =
        tokenService(
                "POST",
                "/api/subscribe_token",
                "{\"label\":\"rtmp viewers\",\"streams\":[{\"streamName\":\"cam-d\"}],"
                    + "\"tracking\":{\"trackingId\":\"partner-7\"}}")
            .get("data");
    publish("cam-d", "?token=" + pub.get("token").asText());
    awaitLive("cam-d");

    // The token does not allow multi-source: a second source is refused by the media server.
    Process otherSource =
        publish("cam-d", "?token=" + pub.get("token").asText() + "&sourceId=cam2");
    assertTrue(otherSource.waitFor(15, TimeUnit.SECONDS));
    assertNotEquals(0, otherSource.exitValue());
    JsonNode refused =
        awaitEvents(Topics.PUBLISHER_FAILED, "cam-d", 1, Duration.ofSeconds(10)).get(0);
    assertEquals("multisource-not-allowed", refused.get("reason").asText());
    assertEquals("cam2", refused.get("sourceId").asText());

    // A viewer pasting its subscribe token into the RTMP URL, without the Director.
    String url =
        MediaNodeResource.node().rtmpUrl()
            + "/cam-d?token="
            + sub.get("token").asText()
            + "&accountId="
            + accountId;
    Process viewer = read(url);
    JsonNode joined = awaitEvents(Topics.VIEWER_JOINED, "cam-d", 1, Duration.ofSeconds(15)).get(0);
    assertEquals("rtmp", joined.get("protocol").asText());
    assertEquals("partner-7", joined.get("trackingId").asText());
    assertEquals(sub.get("id").asLong(), joined.get("tokenId").asLong());
    assertTrue(viewer.isAlive(), "watching");
    // The node's /stat (read every second here) adds each player's share to the feed's counter; the
    // session's bytes so far are that counter's growth since it joined.
    String session = joined.get("viewerSessionId").asText();
    await().atMost(Duration.ofSeconds(15)).until(() -> sessionBytes(session) > 0);

    tokenService(
        "PATCH", "/api/subscribe_token/disable", "{\"tokenIds\":[" + sub.get("id").asLong() + "]}");
    assertTrue(viewer.waitFor(10, TimeUnit.SECONDS), "the media node dropped the viewer");
    JsonNode left = awaitEvents(Topics.VIEWER_LEFT, "cam-d", 1, Duration.ofSeconds(5)).get(0);
    assertEquals(session, left.get("viewerSessionId").asText());
    assertTrue(left.get("bytesOut").asLong() > 0, "viewer-left carries the bytes sent: " + left);

    // A disabled token cannot start again.
    Process again =
        new ProcessBuilder("ffprobe", "-v", "error", url).redirectErrorStream(true).start();
    FFMPEGS.add(again);
    assertTrue(again.waitFor(15, TimeUnit.SECONDS));
    assertNotEquals(0, again.exitValue());
  }

  @Test
  @Order(6)
  void aMediaJwtForAnotherStreamIsRefusedAndAnnounced() throws Exception {
    JsonNode pub =
        tokenService(
                "POST",
                "/api/publish_token",
                "{\"label\":\"third\",\"streams\":[{\"streamName\":\"^cam-.*$\",\"isRegex\":true}]}")
            .get("data");
    String rtmp =
        readTree(
                director(
                        "/api/director/publish",
                        pub.get("token").asText(),
                        Map.of("streamName", "cam-e"))
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString())
            .get("data")
            .get("urls")
            .get(0)
            .asText();
    // The grant is for cam-e; used for cam-f it is refused by the media server itself.
    Process wrong = publishTo(rtmp.replace("/live/cam-e?", "/live/cam-f?"));
    assertTrue(wrong.waitFor(15, TimeUnit.SECONDS));
    assertNotEquals(0, wrong.exitValue());
    JsonNode failed =
        awaitEvents(Topics.PUBLISHER_FAILED, "cam-e", 1, Duration.ofSeconds(10)).get(0);
    assertEquals("unauthorized", failed.get("reason").asText());
    assertEquals(pub.get("id").asLong(), failed.get("tokenId").asLong());
    given().auth().oauth2(operatorKey).get("/api/monitoring/streams/cam-f").then().statusCode(404);
  }

  @Test
  @Order(7)
  void whenThePrimaryDiesTheBackupIsServedAndReadersFollowIt() throws Exception {
    // The first publish token was revoked by an earlier test.
    String token =
        tokenService(
                "POST",
                "/api/publish_token",
                "{\"label\":\"backup\",\"streams\":[{\"streamName\":\"cam-backup\"}]}")
            .get("data")
            .get("token")
            .asText();
    Process primary = publish("cam-backup", "?token=" + token + "&priority=10");
    awaitFeeds("cam-backup", 1);
    publish("cam-backup", "?token=" + token + "&priority=1");
    JsonNode stream = awaitFeeds("cam-backup", 2);
    String primaryFeed = feedWithPriority(stream, 10);
    String backupFeed = feedWithPriority(stream, 1);

    // A recording worker's pull: served the primary, counted as an internal reader only.
    JsonNode egress = egress("cam-backup").then().statusCode(200).extract().as(JsonNode.class);
    assertEquals(primaryFeed, egress.get("data").get("feedId").asText());
    Process reader = read(egress.get("data").get("rtmpUrl").asText());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                events(Topics.VIEWER_JOINED, "cam-backup").stream()
                    .anyMatch(e -> e.get("internalReader").asBoolean()));

    // Traffic is reported per interval; the platform's own reader is no viewer.
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                events(Topics.STREAM_STATS, "cam-backup").stream()
                    .anyMatch(e -> e.get("bytesIn").asLong() > 0));
    given()
        .auth()
        .oauth2(operatorKey)
        .get("/api/monitoring/streams/cam-backup")
        .then()
        .body("data.viewerCount", equalTo(0))
        .body("data.internalReaders", equalTo(1));
    for (JsonNode stats : events(Topics.STREAM_STATS, "cam-backup")) {
      assertEquals(0, stats.get("viewers").asInt(), stats.toString());
      assertEquals(0, stats.get("bytesOut").asLong(), stats.toString());
    }

    // An HLS player already running when the primary dies, and its rendition's media playlist.
    String hlsMaster = url(subscribeTo("cam-backup", null), "hls");
    String rendition = firstRendition(hlsMaster);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> textIfServed(rendition).contains(primaryFeed + "-"));
    Path progress = Files.createTempFile(Path.of("target"), "hls-player-", ".progress");
    Process player = hlsPlayer(hlsMaster, progress);
    await().atMost(Duration.ofSeconds(30)).until(() -> frames(progress) > 15);
    long sequenceBefore = mediaSequence(text(rendition));

    Instant killed = Instant.now();
    primary.destroyForcibly();
    JsonNode switched =
        awaitEvents(Topics.SOURCE_SWITCHED, "cam-backup", 1, Duration.ofSeconds(10)).get(0);
    long framesAtSwitch = frames(progress);
    assertEquals(primaryFeed, switched.get("fromFeedId").asText());
    assertEquals(backupFeed, switched.get("toFeedId").asText());
    long afterKillMs =
        Duration.between(killed, Instant.parse(switched.get("occurredAt").asText())).toMillis();
    System.out.printf(
        "[media-plane] source-switched %d ms after the primary was killed%n", afterKillMs);
    assertTrue(afterKillMs < 1000, "source-switched " + afterKillMs + " ms after the kill");

    // The same rendition URL now serves the backup's segments, numbered on from the primary's,
    // and the running player goes on playing without reloading the master: 6 s of pictures more
    // than it had at the switch (the dead primary left it at most its last segment).
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> textIfServed(rendition).contains(backupFeed + "-"));
    long renditionMs = Duration.between(killed, Instant.now()).toMillis();
    System.out.printf(
        "[media-plane] the HLS rendition lists the backup %d ms after the primary was killed%n",
        renditionMs);
    // The callback's transaction, plus at most a quarter of a second of playlist cache.
    assertTrue(renditionMs < 2000, "rendition switched " + renditionMs + " ms after the kill");
    String afterSwitch = text(rendition);
    assertFalse(afterSwitch.contains(primaryFeed), afterSwitch);
    assertTrue(afterSwitch.contains("#EXT-X-DISCONTINUITY-SEQUENCE:"), afterSwitch);
    assertTrue(
        mediaSequence(afterSwitch) > sequenceBefore, sequenceBefore + " then " + afterSwitch);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> frames(progress) >= framesAtSwitch + 90 || !player.isAlive());
    assertTrue(player.isAlive(), "the HLS player stopped at the failover");
    System.out.printf(
        "[media-plane] HLS player: %d frames at the switch, %d now%n",
        framesAtSwitch, frames(progress));
    player.destroy();

    // The reader of the dead feed is disconnected, asks again and is given the backup.
    assertTrue(reader.waitFor(10, TimeUnit.SECONDS), "the reader of the dead feed was dropped");
    JsonNode again = egress("cam-backup").then().statusCode(200).extract().as(JsonNode.class);
    assertEquals(backupFeed, again.get("data").get("feedId").asText());
    assertTrue(probe(again.get("data").get("rtmpUrl").asText()).contains("h264"));
    // New viewers are served the backup too.
    JsonNode director =
        readTree(
                director(
                        "/api/director/subscribe",
                        subscribeToken,
                        Map.of("streamName", "cam-backup", "streamAccountId", accountId))
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString())
            .get("data");
    String newRendition = firstRendition(url(director, "hls"));
    assertTrue(text(newRendition).contains(backupFeed + "-"), text(newRendition));
    assertFalse(text(newRendition).contains(primaryFeed), text(newRendition));
    assertTrue(probe(url(director, "rtmp")).contains("h264"));
    List<String> order =
        events(Topics.FEED_ENDED, "cam-backup").stream()
            .map(e -> e.get("feedId").asText())
            .toList();
    assertEquals(List.of(primaryFeed), order, "only the primary ended");
  }

  @Test
  @Order(8)
  void egressIsInternalSingleUseAndOnlyForLiveStreams() throws Exception {
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("streamId", accountId + "/cam-backup", "purpose", "recording"))
        .post("/internal/egress")
        .then()
        .statusCode(401);
    given()
        .auth()
        .oauth2(operatorKey)
        .contentType(ContentType.JSON)
        .body(Map.of("streamId", accountId + "/cam-backup", "purpose", "recording"))
        .post("/internal/egress")
        .then()
        .statusCode(403);
    egress("cam-nothing")
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("reason", equalTo("stream_not_live"));
    given()
        .auth()
        .oauth2(TokenServiceProcess.internalKey())
        .contentType(ContentType.JSON)
        .body(Map.of("streamId", "no-slash", "purpose", "copying"))
        .post("/internal/egress")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");

    String url =
        egress("cam-backup").then().statusCode(200).extract().path("data.rtmpUrl").toString();
    assertTrue(probe(url).contains("h264"), "first use plays");
    assertFalse(probe(url).contains("h264"), "a used egress URL is refused");
  }

  @Test
  @Order(9)
  void reprioritizingATokenSwitchesViewersToItsFeedWithoutAReconnect() throws Exception {
    JsonNode main = newPublishToken("cam-prio");
    JsonNode spare = newPublishToken("cam-prio");
    Process first = publish("cam-prio", "?token=" + main.get("token").asText() + "&priority=5");
    awaitFeeds("cam-prio", 1);
    Process second = publish("cam-prio", "?token=" + spare.get("token").asText() + "&priority=1");
    JsonNode stream = awaitFeeds("cam-prio", 2);
    String mainFeed = feedWithPriority(stream, 5);
    String spareFeed = feedWithPriority(stream, 1);

    // A real RTMP viewer: the bytes it is sent are the stream's bytes out.
    JsonNode watch =
        readTree(
                director(
                        "/api/director/subscribe",
                        subscribeToken,
                        Map.of("streamName", "cam-prio", "streamAccountId", accountId))
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString())
            .get("data");
    Process viewer = read(url(watch, "rtmp"));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                events(Topics.STREAM_STATS, "cam-prio").stream()
                    .anyMatch(
                        e -> e.get("bytesOut").asLong() > 0 && e.get("viewers").asInt() == 1));
    viewer.destroy();

    given()
        .auth()
        .oauth2(operatorKey)
        .contentType(ContentType.JSON)
        .body(Map.of("tokenId", spare.get("id").asLong(), "updatePriority", 10))
        .post("/api/stream/reprioritize")
        .then()
        .statusCode(200)
        .body("data.stoppingLevel", equalTo("Feed"));
    JsonNode switched =
        awaitEvents(Topics.SOURCE_SWITCHED, "cam-prio", 1, Duration.ofSeconds(5)).get(0);
    assertEquals(mainFeed, switched.get("fromFeedId").asText());
    assertEquals(spareFeed, switched.get("toFeedId").asText());
    assertEquals("reprioritized", switched.get("reason").asText());
    assertEquals(
        10,
        tokenService("GET", "/api/publish_token/" + spare.get("id").asLong(), null)
            .get("data")
            .get("priority")
            .asInt());
    assertEquals(
        spareFeed,
        egress("cam-prio").then().statusCode(200).extract().path("data.feedId").toString());
    assertTrue(first.isAlive() && second.isAlive(), "no publisher was disconnected");

    given()
        .auth()
        .oauth2(operatorKey)
        .contentType(ContentType.JSON)
        .body(Map.of("tokenId", 987654321, "updatePriority", 1))
        .post("/api/stream/reprioritize")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    given()
        .auth()
        .oauth2(operatorKey)
        .contentType(ContentType.JSON)
        .body(Map.of("tokenId", "seven"))
        .post("/api/stream/reprioritize")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
  }

  @Test
  @Order(10)
  void stopAllEndsEveryLiveStreamOfTheAccountOnly() throws Exception {
    String other = otherAccountKey();
    given()
        .auth()
        .oauth2(other)
        .post("/api/stream/stop/all")
        .then()
        .statusCode(200)
        .body("data.stoppingLevel", equalTo("None"));
    assertEquals(
        "live",
        given()
            .auth()
            .oauth2(operatorKey)
            .get("/api/monitoring/streams/cam-prio")
            .jsonPath()
            .getString("data.state"));

    given()
        .auth()
        .oauth2(operatorKey)
        .post("/api/stream/stop/all")
        .then()
        .statusCode(200)
        .body("data.stoppingLevel", equalTo("Account"));
    for (String name : List.of("cam-prio", "cam-backup")) {
      assertEquals(
          "ended",
          given()
              .auth()
              .oauth2(operatorKey)
              .get("/api/monitoring/streams/" + name)
              .jsonPath()
              .getString("data.state"));
      awaitEvents(Topics.STREAM_ENDED, name, 1, Duration.ofSeconds(5));
    }
    // Worst feed first: stopping switched no viewer to a feed about to end.
    assertEquals(1, events(Topics.SOURCE_SWITCHED, "cam-prio").size());
  }

  @Test
  @Order(11)
  void callbacksWithoutTheNodesKeyAreRefused() {
    // Only the media node knows the key: a forged publish-done cannot end anything.
    given()
        .contentType(ContentType.URLENC)
        .formParam("clientid", "1")
        .formParam("name", "cam-a")
        .post("/media/nginx/publish-done")
        .then()
        .statusCode(403);
    given()
        .contentType(ContentType.URLENC)
        .queryParam("key", "guess")
        .formParam("clientid", "1")
        .formParam("name", "cam-a")
        .post("/media/nginx/play")
        .then()
        .statusCode(403);
    given()
        .header("X-Original-URI", "/hls/x/y.m3u8")
        .header("X-Real-IP", "127.0.0.1")
        .get("/media/nginx/hls-auth")
        .then()
        .statusCode(403);
    given()
        .queryParam("key", MediaNodeResource.node().callbackKey())
        .contentType(ContentType.URLENC)
        .formParam("clientid", "424242")
        .post("/media/nginx/publish-done")
        .then()
        .statusCode(200);
  }

  @Test
  @Order(12)
  void simulcastLayersAndAnAudioOnlySourceMakeOneMasterPlaylist() throws Exception {
    String token = newPublishToken("cam-sim").get("token").asText();
    String base = MediaNodeResource.node().rtmpUrl() + "/cam-sim?token=" + token;
    publishTo(base + "&simulcastId=ladder", "testsrc=size=320x240:rate=15", true);
    publishTo(base + "&simulcastId=ladder", "testsrc=size=192x144:rate=15", true);
    publishAudioTo(base + "&sourceId=es");
    awaitFeeds("cam-sim", 3);

    JsonNode director =
        readTree(
                director(
                        "/api/director/subscribe",
                        subscribeToken,
                        Map.of("streamName", "cam-sim", "streamAccountId", accountId))
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString())
            .get("data");
    String hls = url(director, "hls");
    // The node reports sizes and codecs through /stat (read every second here).
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              String m = text(hls);
              return m.contains("RESOLUTION=320x240")
                  && m.contains("RESOLUTION=192x144")
                  && m.contains("NAME=\"es\"");
            });
    String master = text(hls);
    assertEquals(2, master.split("#EXT-X-STREAM-INF:").length - 1, master);
    // What nginx forwards for a malformed %-escape (java.net.URI would not even send it).
    given()
        .queryParam("key", MediaNodeResource.node().callbackKey())
        .header("X-Original-URI", URI.create(hls).getRawPath() + "?sourceId=%zz")
        .header("X-Real-IP", "127.0.0.1")
        .get("/media/nginx/hls-master")
        .then()
        .statusCode(400);
    assertTrue(master.contains("LANGUAGE=\"es\""), master);
    assertTrue(master.contains("AUDIO=\"audio\""), master);
    // A player reads it: both variants and the alternate audio are programs/streams to ffprobe.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              String probed = probeStreams(hls);
              return probed.contains("320,240") && probed.contains("192,144");
            });
  }

  @Test
  @Order(13)
  void aViewerPicksASourceOrGetsTheMainOne() throws Exception {
    String token = newPublishToken("cam-pick").get("token").asText();
    String base = MediaNodeResource.node().rtmpUrl() + "/cam-pick?token=" + token;
    publishTo(base, "testsrc=size=320x240:rate=15", false);
    publishTo(base + "&sourceId=side", "testsrc=size=192x144:rate=15", false);
    awaitFeeds("cam-pick", 2);

    String side = url(subscribeTo("cam-pick", "side"), "rtmp");
    String main = url(subscribeTo("cam-pick", null), "rtmp");
    await().atMost(Duration.ofSeconds(30)).until(() -> probeStreams(side).contains("192,144"));
    assertFalse(probeStreams(side).contains("320,240"));
    await().atMost(Duration.ofSeconds(30)).until(() -> probeStreams(main).contains("320,240"));

    // The HLS master playlist of a grant for one source lists that source's picture only.
    String sideHls = url(subscribeTo("cam-pick", "side"), "hls");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> text(sideHls).contains("RESOLUTION=192x144"));
    assertFalse(text(sideHls).contains("RESOLUTION=320x240"), text(sideHls));

    director(
            "/api/director/subscribe",
            subscribeToken,
            Map.of("streamName", "cam-pick", "streamAccountId", accountId, "sourceId", "no such"))
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
  }

  @Test
  @Order(15)
  void aCappedTokenAdmitsItsViewersAtMediaStartAndFreesTheSlotWhenOneLeaves() throws Exception {
    Process cam = publish("cam-cap", "?token=" + newPublishToken("cam-cap").get("token").asText());
    String feedId = awaitLive("cam-cap").get("feeds").get(0).get("feedId").asText();
    JsonNode capped =
        tokenService(
                "POST",
                "/api/subscribe_token",
                "{\"label\":\"capped\",\"streams\":[{\"streamName\":\"cam-cap\"}]}")
            .get("data");
    tokenService(
        "PUT",
        "/api/subscribe_token/" + capped.get("id").asLong() + "/viewer_policy",
        "{\"maxConcurrentViewers\":1}");
    String cappedToken = capped.get("token").asText();

    // Uncapped: no admission call (token-service learns of the session from viewer-joined).
    play("cap-open-1", subscribeToken).then().statusCode(302).header("Location", feedId);
    // Capped: token-service admits the first viewer at media start and refuses the second.
    play("cap-1", cappedToken).then().statusCode(302).header("Location", feedId);
    play("cap-2", cappedToken)
        .then()
        .statusCode(403)
        .body(org.hamcrest.Matchers.containsString("viewer_limit_reached"));
    // The first one leaves: its viewer-left event frees the slot in token-service.
    given()
        .queryParam("key", MediaNodeResource.node().callbackKey())
        .contentType(ContentType.URLENC)
        .formParam("call", "play_done")
        .formParam("clientid", "cap-1")
        .formParam("name", "cam-cap")
        .post("/media/nginx/play-done")
        .then()
        .statusCode(200);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> play("cap-3", cappedToken).statusCode() == 302);
    // Three joined (the refused one never did), each once.
    assertEquals(3, awaitEvents(Topics.VIEWER_JOINED, "cam-cap", 3, Duration.ofSeconds(10)).size());
    cam.destroy();
  }

  /** nginx's on_play callback for a viewer of {@code streamName} with a subscribe token. */
  private static Response play(String clientId, String token) {
    return given()
        .queryParam("key", MediaNodeResource.node().callbackKey())
        .contentType(ContentType.URLENC)
        .formParam("call", "play")
        .formParam("app", "live")
        .formParam("name", "cam-cap")
        .formParam("clientid", clientId)
        .formParam("addr", "127.0.0.1")
        .formParam("flashver", "LNX")
        .formParam("token", token)
        .formParam("accountId", accountId)
        .post("/media/nginx/play");
  }

  private static JsonNode subscribeTo(String streamName, String sourceId) {
    Map<String, String> body = new java.util.HashMap<>();
    body.put("streamName", streamName);
    body.put("streamAccountId", accountId);
    if (sourceId != null) {
      body.put("sourceId", sourceId);
    }
    return readTree(
            director("/api/director/subscribe", subscribeToken, body)
                .then()
                .statusCode(200)
                .extract()
                .asString())
        .get("data");
  }

  @Test
  @Order(14)
  void clustersAreListedChosenAndFollowedByTheDirector() throws Exception {
    given()
        .auth()
        .oauth2(operatorKey)
        .get("/api/cluster")
        .then()
        .statusCode(200)
        .body("data.defaultCluster", equalTo("local"))
        .body("data.availableClusters.id", org.hamcrest.Matchers.contains("local"))
        .body("data.availableClusters[0].rtmp", equalTo(MediaNodeResource.node().rtmpUrl()));
    // What a second instance driving a node in another cluster announces.
    try (var connection = dataSource.getConnection();
        var insert =
            connection.prepareStatement(
                "insert into media_node (id, cluster_id, rtmp_url, hls_url, last_seen_at)"
                    + " values ('eu-1', 'eu', 'rtmp://eu.example.net/live',"
                    + " 'https://hls.eu.example.net', now())")) {
      insert.executeUpdate();
    }
    given()
        .auth()
        .oauth2(operatorKey)
        .contentType(ContentType.JSON)
        .body(Map.of("defaultCluster", "mars"))
        .put("/api/cluster")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("reason", equalTo("unknown_cluster"));

    JsonNode pinned =
        tokenService(
                "POST",
                "/api/publish_token",
                "{\"label\":\"eu\",\"streams\":[{\"streamName\":\"cam-eu\"}],"
                    + "\"originCluster\":\"eu\"}")
            .get("data");
    director("/api/director/publish", pinned.get("token").asText(), Map.of("streamName", "cam-eu"))
        .then()
        .statusCode(200)
        .body("data.clusterId", equalTo("eu"))
        .body(
            "data.urls[0]",
            org.hamcrest.Matchers.startsWith("rtmp://eu.example.net/live/cam-eu?jwt="));

    String plain = newPublishToken("cam-default").get("token").asText();
    director("/api/director/publish", plain, Map.of("streamName", "cam-default"))
        .then()
        .statusCode(200)
        .body("data.clusterId", equalTo("local"));
    given()
        .auth()
        .oauth2(operatorKey)
        .contentType(ContentType.JSON)
        .body(Map.of("defaultCluster", "eu"))
        .put("/api/cluster")
        .then()
        .statusCode(200)
        .body("data.defaultCluster", equalTo("eu"))
        .body("data.availableClusters.id", org.hamcrest.Matchers.contains("eu", "local"));
    director("/api/director/publish", plain, Map.of("streamName", "cam-default"))
        .then()
        .statusCode(200)
        .body("data.clusterId", equalTo("eu"));
    // Another account keeps its own default.
    given()
        .auth()
        .oauth2(otherAccountKey())
        .get("/api/cluster")
        .then()
        .statusCode(200)
        .body("data.defaultCluster", equalTo("local"));
  }

  // --- helpers -----------------------------------------------------------------------------

  private long sessionBytes(String sessionId) throws Exception {
    try (var connection = dataSource.getConnection();
        var select =
            connection.prepareStatement(
                "select s.bytes_out + greatest(0, f.player_bytes_out - s.feed_player_bytes_at_join)"
                    + " from viewer_session s join feed f on f.id = s.feed_id where s.id = ?")) {
      select.setString(1, sessionId);
      try (var row = select.executeQuery()) {
        return row.next() ? row.getLong(1) : 0;
      }
    }
  }

  /** Width,height (or codec) of every stream ffprobe finds at {@code url}. */
  private static String probeStreams(String url) throws Exception {
    Process p =
        new ProcessBuilder(
                "ffprobe",
                "-v",
                "error",
                "-rw_timeout",
                "10000000",
                "-show_entries",
                "stream=codec_name,width,height",
                "-of",
                "csv=p=0",
                url)
            .redirectErrorStream(true)
            .start();
    FFMPEGS.add(p);
    if (!p.waitFor(25, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "";
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  /** ffmpeg publishing 60 s of lavfi {@code video} (and a tone when {@code audio}). */
  private static Process publishTo(String url, String video, boolean audio) throws IOException {
    return startLogged("ffmpeg-", TestMedia.publishCommand(url, video, audio, 60, 15));
  }

  /** ffmpeg publishing 60 s of sound only (a second language, say). */
  private static Process publishAudioTo(String url) throws IOException {
    return startLogged(
        "ffmpeg-audio-",
        List.of(
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-re",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=880",
            "-t",
            "60",
            "-c:a",
            "aac",
            "-f",
            "flv",
            url));
  }

  private static JsonNode newPublishToken(String streamName) throws Exception {
    return tokenService(
            "POST",
            "/api/publish_token",
            "{\"label\":\""
                + streamName
                + "\",\"streams\":[{\"streamName\":\""
                + streamName
                + "\"}]}")
        .get("data");
  }

  private static Response egress(String streamName) {
    return given()
        .auth()
        .oauth2(TokenServiceProcess.internalKey())
        .contentType(ContentType.JSON)
        .body(
            Map.of(
                "streamId", accountId + "/" + streamName,
                "purpose", "recording",
                "workerId", "test"))
        .post("/internal/egress");
  }

  /** ffmpeg reading an RTMP URL until it is disconnected (as a recording worker does). */
  private static Process read(String url) throws IOException {
    return startLogged(
        "reader-",
        List.of(
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-rw_timeout",
            "30000000",
            "-i",
            url,
            "-c",
            "copy",
            "-f",
            "null",
            "-"));
  }

  /** An HLS player: ffmpeg reading the master playlist, its progress (frames) in a file. */
  private static Process hlsPlayer(String masterUrl, Path progress) throws IOException {
    return startLogged(
        "hls-player-",
        List.of(
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "warning",
            "-rw_timeout",
            "30000000",
            "-i",
            masterUrl,
            "-map",
            "0:v:0",
            "-c",
            "copy",
            "-f",
            "null",
            "-",
            "-stats_period",
            "0.25",
            "-progress",
            progress.toString()));
  }

  /** The frames an ffmpeg with {@code -progress} has reported so far. */
  private static long frames(Path progress) throws IOException {
    long frames = 0;
    for (String line : Files.readAllLines(progress)) {
      if (line.matches("frame=\\s*\\d+")) { // a line being written is skipped
        frames = Long.parseLong(line.substring(6).strip());
      }
    }
    return frames;
  }

  /** The URL of the first variant a master playlist lists (a rendition's media playlist). */
  private static String firstRendition(String masterUrl) throws Exception {
    String master = text(masterUrl);
    for (String line : master.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        assertTrue(line.matches("rv-[A-Za-z0-9-]+\\.m3u8"), master);
        return URI.create(masterUrl).resolve(line.strip()).toString();
      }
    }
    throw new AssertionError("no variant in " + master);
  }

  private static long mediaSequence(String playlist) {
    for (String line : playlist.split("\n")) {
      if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) {
        return Long.parseLong(line.substring(22).strip());
      }
    }
    throw new AssertionError("no media sequence in " + playlist);
  }

  private static JsonNode awaitFeeds(String streamName, int feeds) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              io.restassured.response.Response r =
                  given().auth().oauth2(operatorKey).get("/api/monitoring/streams/" + streamName);
              return r.statusCode() == 200 && r.jsonPath().getList("data.feeds").size() == feeds;
            });
    return readTree(
            given()
                .auth()
                .oauth2(operatorKey)
                .get("/api/monitoring/streams/" + streamName)
                .asString())
        .get("data");
  }

  private static String feedWithPriority(JsonNode stream, int priority) {
    for (JsonNode feed : stream.get("feeds")) {
      if (feed.get("priority").asInt() == priority) {
        return feed.get("feedId").asText();
      }
    }
    throw new AssertionError("no feed with priority " + priority + " in " + stream);
  }

  private static Process publish(String streamName, String query) throws IOException {
    return publishTo(MediaNodeResource.node().rtmpUrl() + "/" + streamName + query);
  }

  /** ffmpeg publishing 60 s of lavfi test video and a tone, at real-time speed. */
  private static Process publishTo(String url) throws IOException {
    return publishTo(url, "testsrc=size=320x240:rate=15", true);
  }

  /** Starts an ffmpeg (or ffprobe) child whose output goes to a log under target/. */
  private static Process startLogged(String logPrefix, List<String> command) throws IOException {
    Path log = Files.createTempFile(Path.of("target"), logPrefix, ".log");
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    FFMPEGS.add(p);
    return p;
  }

  /** The codecs ffprobe reads from {@code url} (empty when it cannot play it). */
  private static String probe(String url) throws Exception {
    Process p =
        new ProcessBuilder(
                "ffprobe",
                "-v",
                "error",
                "-rw_timeout",
                "10000000",
                "-show_entries",
                "stream=codec_name",
                "-of",
                "csv=p=0",
                url)
            .redirectErrorStream(true)
            .start();
    FFMPEGS.add(p);
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "";
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  private static JsonNode awaitLive(String streamName) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                given()
                            .auth()
                            .oauth2(operatorKey)
                            .get("/api/monitoring/streams/" + streamName)
                            .statusCode()
                        == 200
                    && "live"
                        .equals(
                            given()
                                .auth()
                                .oauth2(operatorKey)
                                .get("/api/monitoring/streams/" + streamName)
                                .jsonPath()
                                .getString("data.state")));
    return readTree(
            given()
                .auth()
                .oauth2(operatorKey)
                .get("/api/monitoring/streams/" + streamName)
                .asString())
        .get("data");
  }

  private static Response director(String path, String bearer, Map<String, String> body) {
    return given()
        .header("Authorization", "Bearer " + bearer)
        .contentType(ContentType.JSON)
        .body(body)
        .post(path);
  }

  private static String url(JsonNode director, String protocol) {
    for (JsonNode u : director.get("mediaUrls")) {
      if (protocol.equals(u.get("protocol").asText())) {
        return u.get("url").asText();
      }
    }
    throw new AssertionError("no " + protocol + " URL in " + director);
  }

  private static String text(String url) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), url);
    return response.body();
  }

  /** The body when served (200), else empty: a feed's playlist appears with its first segment. */
  private static String textIfServed(String url) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200 ? response.body() : "";
  }

  /** A counter of this service's {@code /q/metrics} (0 before its first increment). */
  private static double metric(String name) {
    for (String line :
        given().get("/q/metrics").then().statusCode(200).extract().asString().split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  private static int get(String url) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static List<JsonNode> events(String topic, String streamName) {
    String key = accountId + "/" + streamName;
    List<JsonNode> result = new ArrayList<>();
    for (ConsumerRecord<String, String> r :
        BeamlineInfraResource.kafka().readTopic(topic, Duration.ofSeconds(10))) {
      if (key.equals(r.key())) {
        result.add(readTree(r.value()));
      }
    }
    return result;
  }

  private static List<JsonNode> awaitEvents(
      String topic, String streamName, int atLeast, Duration timeout) {
    List<List<JsonNode>> found = new ArrayList<>(List.of(List.of()));
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              found.set(0, events(topic, streamName));
              return found.get(0).size() >= atLeast;
            });
    return found.get(0);
  }

  private static JsonNode tokenService(String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(TokenServiceProcess.url() + path))
            .header("Authorization", "Bearer " + operatorKey)
            .header("Content-Type", "application/json");
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(
        response.statusCode() < 300,
        method + " " + path + " -> " + response.statusCode() + " " + response.body());
    return response.body().isBlank() ? JSON.nullNode() : readTree(response.body());
  }

  private static String otherAccountKey() throws Exception {
    JsonNode created =
        tokenService("POST", "/api/accounts", "{\"name\":\"other-" + System.nanoTime() + "\"}");
    String key = created.get("apiKey").get("key").asText();
    assertFalse(key.isBlank());
    return key;
  }

  private static JsonNode readTree(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }
}
