package io.beamline.recording;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.devstack.test.TestApiKeys;
import io.beamline.events.Topics;
import io.beamline.events.stream.FeedStartedEvent;
import io.beamline.events.stream.Protocol;
import io.beamline.recording.media.Ffprobe;
import io.beamline.recording.media.MediaMetadata;
import io.beamline.recording.service.RecordingService;
import io.beamline.recording.service.RetentionJob;
import io.beamline.recording.storage.ObjectStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The v3 media assets API over recordings stored in the real object store: filters, sorting,
 * paging, metadata, pre-signed downloads, deletion with the object and the event, usage, account
 * isolation and problem+json for bad input.
 */
@QuarkusTest
class MediaAssetsTest {

  private static final Set<String> SCOPES = Set.of("recordings:read", "recordings:write");
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static byte[] media;

  @Inject RecordingService recordings;
  @Inject ObjectStore store;
  @Inject Ffprobe ffprobe;
  @Inject RetentionJob retention;
  @Inject EntityManager em;

  @BeforeAll
  static void encode() throws Exception {
    media = TestSupport.fmp4(4);
  }

  @Test
  void shouldListOnlyTheCallersAssetsWithFiltersSortAndPaging() throws Exception {
    String account = account();
    String other = account();
    UUID a = seed(account, "alpha", 11, null);
    UUID b = seed(account, "beta", 12, "cam2");
    UUID c = seed(account, "beta", 11, null);
    seed(other, "alpha", 11, null);

    given()
        .auth()
        .oauth2(key(account))
        .get("/api/v3/media/assets")
        .then()
        .statusCode(200)
        .body("status", equalTo("success"))
        .body("data.totalItems", equalTo(3))
        .body("data.items.id", containsInAnyOrder(a.toString(), b.toString(), c.toString()));
    given()
        .auth()
        .oauth2(key(account))
        .queryParam("streamName", "beta")
        .queryParam("tokenId", "11")
        .get("/api/v3/media/assets")
        .then()
        .statusCode(200)
        .body("data.items.id", contains(c.toString()));
    given()
        .auth()
        .oauth2(key(account))
        .queryParam("sourceId", "cam2")
        .queryParam("type", "recording")
        .queryParam("status", "complete")
        .get("/api/v3/media/assets")
        .then()
        .body("data.items.id", contains(b.toString()))
        .body("data.items[0].feed.sourceId", equalTo("cam2"));
    given()
        .auth()
        .oauth2(key(account))
        .queryParam("sourceId", "main")
        .get("/api/v3/media/assets")
        .then()
        .body("data.items.id", containsInAnyOrder(a.toString(), c.toString()));
    given()
        .auth()
        .oauth2(key(account))
        .queryParam("sort", "tokenId")
        .queryParam("desc", "true")
        .queryParam("limit", "1")
        .queryParam("page", "1")
        .get("/api/v3/media/assets")
        .then()
        .body("data.items.id", contains(b.toString()))
        .body("data.totalItems", equalTo(3))
        .body("data.limit", equalTo(1));
    given()
        .auth()
        .oauth2(key(account))
        .queryParam("sort", "created")
        .queryParam("limit", "2")
        .queryParam("page", "2")
        .get("/api/v3/media/assets")
        .then()
        .body("data.items.id", contains(c.toString()));
    given().get("/api/v3/media/assets").then().statusCode(401);
  }

  @Test
  void shouldRefuseBadFiltersAndIdsWithProblemsNamingTheField() {
    String key = key(account());
    given()
        .auth()
        .oauth2(key)
        .queryParam("type", "movie")
        .queryParam("status", "done")
        .queryParam("tokenId", "abc")
        .queryParam("sort", "size")
        .queryParam("limit", "0")
        .queryParam("desc", "yes")
        .get("/api/v3/media/assets")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body(
            "errors.field",
            containsInAnyOrder("type", "status", "tokenId", "sort", "limit", "desc"));
    given()
        .auth()
        .oauth2(key)
        .get("/api/v3/media/assets/not-a-uuid")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors[0].field", equalTo("id"));
    given()
        .auth()
        .oauth2(key)
        .queryParam("id", "42")
        .delete("/api/v3/media/assets")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("id"));
    given()
        .auth()
        .oauth2(key)
        .delete("/api/v3/media/assets/all/movies")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("type"));
    given()
        .auth()
        .oauth2(key)
        .queryParam("expiresIn", "0")
        .get("/api/v3/media/assets/" + UUID.randomUUID())
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("expiresIn"));
    given()
        .auth()
        .oauth2(TestApiKeys.apiKey(TestApiKeys.nextKeyId(), account(), Set.of("recordings:read")))
        .delete("/api/v3/media/assets/" + UUID.randomUUID())
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
  }

  @Test
  void shouldServeMetadataAndAnExpiringDownloadUrl() throws Exception {
    String account = account();
    UUID id = seed(account, "keynote", 7, null);
    Response response =
        given()
            .auth()
            .oauth2(key(account))
            .get("/api/v3/media/assets/" + id)
            .then()
            .statusCode(200)
            .body("data.status", equalTo("complete"))
            .body("data.type", equalTo("recording"))
            .body("data.feed.streamName", equalTo("keynote"))
            .body("data.metadata.format", equalTo("mp4"))
            .body("data.metadata.duration", both(greaterThan(3.7f)).and(lessThan(4.3f)))
            .body("data.metadata.sizeBytes", equalTo(media.length))
            .body("data.metadata.tracks.codec", contains("h264", "aac"))
            .body("data.metadata.tracks[0].width", equalTo(320))
            .body("data.metadata.tracks[0].height", equalTo(180))
            .body("data.metadata.tracks[1].samplerate", equalTo(44100))
            .body(
                "data.storage.path", equalTo(store.list(account + "/").keySet().iterator().next()))
            .extract()
            .response();
    String url = response.path("data.download.downloadUrl");
    Instant expiresOn = Instant.parse(response.path("data.download.downloadExpiresOn"));
    assertTrue(expiresOn.isAfter(Instant.now().plusSeconds(3000)), "default expiry is 1 h");
    HttpResponse<byte[]> download = get(url);
    assertEquals(200, download.statusCode());
    assertArrayEquals(media, download.body());

    String shortUrl =
        given()
            .auth()
            .oauth2(key(account))
            .queryParam("expiresIn", "1")
            .get("/api/v3/media/assets/" + id)
            .then()
            .statusCode(200)
            .extract()
            .path("data.download.downloadUrl");
    assertEquals(200, get(shortUrl).statusCode());
    await()
        .pollDelay(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(10))
        .until(() -> get(shortUrl).statusCode() == 403);

    given()
        .auth()
        .oauth2(key(account()))
        .get("/api/v3/media/assets/" + id)
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  @Test
  void shouldDeleteTheObjectAndAnnounceIt() throws Exception {
    String account = account();
    UUID id = seed(account, "gone", 9, null);
    UUID kept = seed(account, "kept", 9, null);
    String objectKey =
        given()
            .auth()
            .oauth2(key(account))
            .get("/api/v3/media/assets/" + id)
            .then()
            .extract()
            .path("data.storage.path");
    assertTrue(store.size(objectKey).isPresent());
    long before = usage(account);
    assertEquals(2L * media.length, before);

    given()
        .auth()
        .oauth2(key(account()))
        .delete("/api/v3/media/assets/" + id)
        .then()
        .statusCode(404);
    assertTrue(store.size(objectKey).isPresent(), "another account cannot delete it");

    given().auth().oauth2(key(account)).delete("/api/v3/media/assets/" + id).then().statusCode(204);
    assertFalse(store.size(objectKey).isPresent(), "the object is gone");
    given()
        .auth()
        .oauth2(key(account))
        .get("/api/v3/media/assets/" + id)
        .then()
        .statusCode(200)
        .body("data.status", equalTo("deleted"))
        .body("data.removed", not(nullValue()))
        .body("data.download", nullValue());
    given()
        .auth()
        .oauth2(key(account))
        .get("/api/v3/media/assets")
        .then()
        .body("data.items.id", contains(kept.toString()));
    assertEquals((long) media.length, usage(account));
    given().auth().oauth2(key(account)).delete("/api/v3/media/assets/" + id).then().statusCode(404);

    List<String> events =
        TestSupport.awaitRecords(
            Topics.RECORDING_DELETED,
            r -> r.value().contains(id.toString()),
            Duration.ofSeconds(20));
    assertEquals(1, events.size(), "one recording-deleted event");
    assertTrue(events.get(0).contains("\"sizeBytes\":" + media.length), events.get(0));
    assertTrue(events.get(0).contains("\"reason\":\"deleted\""), events.get(0));
  }

  @Test
  void shouldDeleteAllOfATypeAndReportErrorsPerId() throws Exception {
    String account = account();
    String other = account();
    UUID a = seed(account, "one", 1, null);
    UUID b = seed(account, "two", 1, null);
    UUID others = seed(other, "one", 1, null);
    given()
        .auth()
        .oauth2(key(account))
        .delete("/api/v3/media/assets/all/recording")
        .then()
        .statusCode(200)
        .body("data.deleted", containsInAnyOrder(a.toString(), b.toString()))
        .body("data.errors", empty());
    assertEquals(0L, usage(account));
    given()
        .auth()
        .oauth2(key(other))
        .get("/api/v3/media/assets")
        .then()
        .body("data.items.id", contains(others.toString()));
    UUID missing = UUID.randomUUID();
    given()
        .auth()
        .oauth2(key(other))
        .queryParam("id", others.toString())
        .queryParam("id", missing.toString())
        .delete("/api/v3/media/assets")
        .then()
        .statusCode(200)
        .body("data.deleted", contains(others.toString()))
        .body("data.errors.id", hasItem(missing.toString()));
  }

  @Test
  void shouldDeleteAssetsOnceTheirRetentionExpiresAndCountGigabyteHours() throws Exception {
    String account = account();
    Instant seeded = Instant.now();
    UUID expiring = seed(account, "expiring", 1, null);
    UUID kept = seed(account, "kept", 1, null);
    Response read = given().auth().oauth2(key(account)).get("/api/v3/media/assets/" + expiring);
    read.then().statusCode(200);
    // Tests keep assets 1 h (beamline.recording.retention.keep): expiration = stopTime + 1 h.
    assertEquals(
        Instant.parse(read.path("data.stopTime")).plus(Duration.ofHours(1)),
        Instant.parse(read.path("data.expiration")));

    Response usage = given().auth().oauth2(key(account)).get("/api/v3/media/assets/usage");
    double gbHours = ((Number) usage.path("data.gigabyteHours")).doubleValue();
    double hours = Duration.between(seeded, Instant.now()).toMillis() / 3_600_000.0;
    assertTrue(gbHours > 0, "GB-hours grow while assets are stored: " + gbHours);
    assertTrue(
        gbHours <= 2.0 * media.length / 1e9 * hours,
        gbHours + " GB-h for 2 x " + media.length + " bytes over " + hours + " h");

    String objectKey = read.path("data.storage.path");
    // An hour later, as far as the job can tell.
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createQuery("update MediaAsset set expiration = ?1 where id = ?2")
                    .setParameter(1, Instant.now().minusSeconds(1))
                    .setParameter(2, expiring)
                    .executeUpdate());
    assertTrue(retention.run().contains(expiring));
    assertFalse(store.size(objectKey).isPresent(), "the expired asset's object is gone");
    given()
        .auth()
        .oauth2(key(account))
        .get("/api/v3/media/assets/" + expiring)
        .then()
        .body("data.status", equalTo("deleted"));
    given()
        .auth()
        .oauth2(key(account))
        .get("/api/v3/media/assets/" + kept)
        .then()
        .body("data.status", equalTo("complete"));
    List<String> events =
        TestSupport.awaitRecords(
            Topics.RECORDING_DELETED,
            r -> r.value().contains(expiring.toString()),
            Duration.ofSeconds(20));
    assertTrue(events.get(0).contains("\"reason\":\"expired\""), events.get(0));
  }

  private long usage(String account) {
    return ((Number)
            given()
                .auth()
                .oauth2(key(account))
                .get("/api/v3/media/assets/usage")
                .then()
                .statusCode(200)
                .extract()
                .path("data.totalBytes"))
        .longValue();
  }

  /**
   * A complete recording stored through the same calls the worker makes: the asset from a
   * feed-started event, a multipart upload with its recorded part, ffprobe, completion.
   */
  private UUID seed(String account, String streamName, long tokenId, String sourceId)
      throws Exception {
    String owner = "seed-" + UUID.randomUUID();
    FeedStartedEvent event =
        new FeedStartedEvent(
            UUID.randomUUID(),
            account,
            Instant.now(),
            account + "/" + streamName,
            streamName,
            1,
            "local",
            "feed-" + UUID.randomUUID(),
            tokenId,
            sourceId,
            null,
            null,
            List.of(),
            "media-node-1",
            Protocol.RTMP,
            null,
            true,
            true);
    UUID id = recordings.feedStarted(event.eventId(), event, 0, owner).orElseThrow().id;
    String key = recordings.nextObjectKey(id);
    String upload = store.createUpload(key);
    var segment = recordings.openSegment(id, key, upload);
    String etag = store.uploadPart(key, upload, 1, media, media.length);
    recordings.recordPart(segment.id, 1, etag, media.length);
    store.completeUpload(key, upload, recordings.parts(segment.id));
    MediaMetadata metadata = ffprobe.probe(store.presignedGet(key, Duration.ofMinutes(1)));
    recordings.segmentComplete(segment.id, media.length, metadata.duration());
    assertTrue(recordings.finish(id, owner, metadata, null));
    return id;
  }

  private static String account() {
    return "acct-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static String key(String account) {
    return TestApiKeys.apiKey(TestApiKeys.nextKeyId(), account, SCOPES);
  }

  private static HttpResponse<byte[]> get(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }
}
