package io.beamline.recording;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.devstack.test.MediaStack;
import io.beamline.devstack.test.TestApiKeys;
import io.beamline.events.Topics;
import io.beamline.recording.storage.ObjectStore;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Recordings of real traffic: ffmpeg publishes through nginx-rtmp with a record=true publish token
 * from the real token-service, stream-service announces the feed, and the worker pulls it through
 * {@code /internal/egress} into the object store; a publisher back within the reconnect window and
 * a backup publisher taking over continue the same asset. (The takeover after an instance dies is
 * {@code RecordingCrashIT}, with two service processes.)
 */
@QuarkusTest
class LiveRecordingTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Inject ObjectStore store;

  private static boolean warm;
  private Process publisher;

  /**
   * Publishes and records 3 s once before the tests, as a platform that is already running would
   * have done: the three services here have just started, and their first request of each kind
   * (JIT, connection pools, query plans) delays the first recording's start by about a second,
   * which would be measured as media lost.
   */
  @BeforeEach
  void warmUpOnce() throws Exception {
    if (warm) {
      return;
    }
    MediaStack stack = MediaStack.start();
    String stream = "warm-" + UUID.randomUUID().toString().substring(0, 8);
    String key =
        TestApiKeys.apiKey(
            TestApiKeys.nextKeyId(), operatorAccount(stack), Set.of("recordings:read"));
    Process warmUp = publish(stack, stream, publishToken(stack, stream), 3, null);
    assertTrue(warmUp.waitFor(60, TimeUnit.SECONDS), "warm-up publisher did not finish");
    awaitComplete(key, stream, Duration.ofSeconds(60));
    warm = true;
  }

  @AfterEach
  void stopPublisher() throws Exception {
    if (publisher != null && publisher.isAlive()) {
      publisher.destroy();
      publisher.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void shouldRecordTenSecondsOfLiveTrafficIntoAPlayableDownloadableAsset() throws Exception {
    MediaStack stack = MediaStack.start();
    String stream = "rec-" + UUID.randomUUID().toString().substring(0, 8);
    String token = publishToken(stack, stream);
    String account = operatorAccount(stack);
    String key =
        TestApiKeys.apiKey(
            TestApiKeys.nextKeyId(), account, Set.of("recordings:read", "recordings:write"));

    publisher = publish(stack, stream, token, 10, null);
    assertTrue(publisher.waitFor(60, TimeUnit.SECONDS), "publisher did not finish");
    assertEquals(0, publisher.exitValue(), "publisher failed");

    JsonPath asset = awaitComplete(key, stream, Duration.ofSeconds(60));
    String id = asset.getString("id");
    assertEquals(account + "/" + stream, asset.getString("feed.streamId"));
    assertEquals(1, asset.getList("segments").size(), "one uninterrupted segment");

    JsonPath read =
        given()
            .auth()
            .oauth2(key)
            .get("/api/v3/media/assets/" + id)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    String url = read.getString("data.download.downloadUrl");
    JsonNode probe = JSON.readTree(TestSupport.ffprobe(url));
    double duration = probe.path("format").path("duration").asDouble();
    assertTrue(
        Math.abs(duration - 10.0) <= 1.0, "recorded duration " + duration + " s, published 10 s");
    assertEquals(List.of("aac", "h264"), codecs(probe));
    assertEquals(duration, read.getDouble("data.metadata.duration"), 0.05);
    assertEquals(640, read.getInt("data.metadata.tracks.find { it.type == 'video' }.width"));

    HttpResponse<byte[]> download = get(url);
    assertEquals(200, download.statusCode());
    assertEquals(read.getLong("data.metadata.sizeBytes"), download.body().length);

    List<String> started =
        TestSupport.awaitRecords(
            Topics.RECORDING_STARTED, r -> r.value().contains(id), Duration.ofSeconds(20));
    List<String> completed =
        TestSupport.awaitRecords(
            Topics.RECORDING_COMPLETED, r -> r.value().contains(id), Duration.ofSeconds(20));
    assertEquals(1, started.size(), "one recording-started");
    assertEquals(1, completed.size(), "one recording-completed");
    JsonNode done = JSON.readTree(completed.get(0));
    assertEquals(account + "/" + stream, done.path("streamId").asText());
    assertEquals(Math.round(duration), done.path("durationSeconds").asLong());

    String objectKey = read.getString("data.storage.path");
    given().auth().oauth2(key).delete("/api/v3/media/assets/" + id).then().statusCode(204);
    assertFalse(store.size(objectKey).isPresent(), "the object is gone");
    assertEquals(404, get(url).statusCode(), "the old download URL finds nothing");
  }

  @Test
  void shouldContinueTheSameAssetWhenThePublisherComesBackWithinTheReconnectWindow()
      throws Exception {
    MediaStack stack = MediaStack.start();
    String stream = "reconnect-" + UUID.randomUUID().toString().substring(0, 8);
    String token = publishToken(stack, stream);
    String key =
        TestApiKeys.apiKey(
            TestApiKeys.nextKeyId(), operatorAccount(stack), Set.of("recordings:read"));

    // Two 5 s publishing sessions with a drop well inside the 3 s reconnect window of the tests.
    publisher = publish(stack, stream, token, 5, null);
    assertTrue(publisher.waitFor(60, TimeUnit.SECONDS), "first publisher did not finish");
    publisher = publish(stack, stream, token, 5, null);
    assertTrue(publisher.waitFor(60, TimeUnit.SECONDS), "second publisher did not finish");
    Instant ended = Instant.now();

    JsonPath asset = awaitComplete(key, stream, Duration.ofSeconds(60));
    List<Map<String, Object>> segments = asset.getList("segments");
    assertEquals(2, segments.size(), "one segment per publishing session: " + segments);
    double total = 0;
    for (JsonNode probe : probeSegments(key, asset.getString("id"))) {
      assertEquals(List.of("aac", "h264"), codecs(probe));
      total += probe.path("format").path("duration").asDouble();
    }
    assertTrue(Math.abs(total - 10.0) <= 1.5, "recorded " + total + " s of 10 s published");
    // stopTime is the moment the feed ended, not the end of the reconnect window (3 s later).
    Instant stop = Instant.parse(asset.getString("stopTime"));
    assertTrue(
        Math.abs(Duration.between(ended, stop).toMillis()) < 2_000,
        "stopTime " + stop + ", publisher gone at " + ended);
    String id = asset.getString("id");
    assertEquals(
        1,
        TestSupport.awaitRecords(
                Topics.RECORDING_STARTED, r -> r.value().contains(id), Duration.ofSeconds(20))
            .size(),
        "one recording-started");
  }

  @Test
  void shouldFollowTheBackupPublisherWhenThePrimaryDrops() throws Exception {
    MediaStack stack = MediaStack.start();
    String stream = "failover-" + UUID.randomUUID().toString().substring(0, 8);
    String token = publishToken(stack, stream);
    String key =
        TestApiKeys.apiKey(
            TestApiKeys.nextKeyId(), operatorAccount(stack), Set.of("recordings:read"));

    // A primary and a backup of the same (main) source; the recording follows the served feed.
    Process primary = publish(stack, stream, token + "&priority=10", 30, null);
    Process backup = publish(stack, stream, token + "&priority=1", 14, null);
    publisher = backup;
    String primaryFeed;
    try {
      // Wait for the recording to have a segment from the primary, then drop the primary.
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                List<Map<String, Object>> items = items(key, stream);
                return !items.isEmpty() && !((List<?>) items.get(0).get("segments")).isEmpty();
              });
      primaryFeed = (String) ((Map<?, ?>) items(key, stream).get(0).get("feed")).get("feedId");
      // Four seconds of the primary in the first segment: it must still be publishing after them.
      assertFalse(primary.waitFor(4, TimeUnit.SECONDS), "the primary stopped on its own");
      primary.destroyForcibly();
      assertTrue(backup.waitFor(60, TimeUnit.SECONDS), "backup publisher did not finish");
    } finally {
      primary.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    JsonPath asset = awaitComplete(key, stream, Duration.ofSeconds(60));
    List<Map<String, Object>> segments = asset.getList("segments");
    assertTrue(segments.size() >= 2, "the backup recorded into a new segment: " + segments);
    assertTrue(
        primaryFeed != null && !primaryFeed.equals(asset.getString("feed.feedId")),
        "the recording followed the backup feed, not " + primaryFeed);
    for (JsonNode probe : probeSegments(key, asset.getString("id"))) {
      assertEquals(List.of("aac", "h264"), codecs(probe));
      assertTrue(probe.path("format").path("duration").asDouble() > 1.0, "playable segment");
    }
    String id = asset.getString("id");
    assertEquals(
        1,
        TestSupport.awaitRecords(
                Topics.RECORDING_STARTED, r -> r.value().contains(id), Duration.ofSeconds(20))
            .size(),
        "one recording for the source");
  }

  /** ffprobe of every complete segment of an asset, through its download URL. */
  private static List<JsonNode> probeSegments(String key, String id) throws Exception {
    JsonPath read =
        given()
            .auth()
            .oauth2(key)
            .get("/api/v3/media/assets/" + id)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    List<JsonNode> probes = new ArrayList<>();
    for (Map<String, Object> segment : read.<Map<String, Object>>getList("data.segments")) {
      assertEquals("complete", segment.get("status"), "segment " + segment);
      String url = (String) ((Map<?, ?>) segment.get("download")).get("downloadUrl");
      probes.add(JSON.readTree(TestSupport.ffprobe(url)));
    }
    return probes;
  }

  private JsonPath awaitComplete(String key, String stream, Duration timeout) {
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              List<Map<String, Object>> items = items(key, stream);
              return items.size() == 1 && !"processing".equals(items.get(0).get("status"));
            });
    JsonPath page =
        given()
            .auth()
            .oauth2(key)
            .queryParam("streamName", stream)
            .get("/api/v3/media/assets")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertEquals("complete", page.getString("data.items[0].status"), page.prettify());
    return page.setRootPath("data.items[0]");
  }

  private static List<Map<String, Object>> items(String key, String stream) {
    return given()
        .auth()
        .oauth2(key)
        .queryParam("streamName", stream)
        .get("/api/v3/media/assets")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("data.items");
  }

  private static String publishToken(MediaStack stack, String stream) throws Exception {
    String body =
        "{\"label\":\"recording test\",\"streams\":[{\"streamName\":\""
            + stream
            + "\"}],\"record\":true}";
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(stack.tokenServiceUrl() + "/api/publish_token"))
                .header("Authorization", "Bearer " + stack.operatorKey())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertTrue(response.statusCode() / 100 == 2, response.body());
    return JSON.readTree(response.body()).path("data").path("token").asText();
  }

  /** The operator key's account: its JWT subject. */
  private static String operatorAccount(MediaStack stack) throws Exception {
    String claims =
        new String(
            Base64.getUrlDecoder().decode(stack.operatorKey().split("\\.")[1]),
            StandardCharsets.UTF_8);
    return JSON.readTree(claims).path("sub").asText();
  }

  private static Process publish(
      MediaStack stack, String stream, String token, int seconds, String bitrate) throws Exception {
    return TestSupport.rtmpPublisher(
        stack.mediaNode().rtmpUrl() + "/" + stream + "?token=" + token, seconds, bitrate);
  }

  /** The codecs of a probe's streams, sorted (their order follows the publisher's packets). */
  private static List<String> codecs(JsonNode probe) {
    List<String> codecs = new ArrayList<>();
    probe.path("streams").forEach(s -> codecs.add(s.path("codec_name").asText()));
    Collections.sort(codecs);
    return codecs;
  }

  private static HttpResponse<byte[]> get(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }
}
