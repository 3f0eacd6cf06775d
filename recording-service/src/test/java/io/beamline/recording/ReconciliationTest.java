package io.beamline.recording;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.devstack.test.TestApiKeys;
import io.beamline.events.stream.FeedStartedEvent;
import io.beamline.events.stream.Protocol;
import io.beamline.recording.media.Ffprobe;
import io.beamline.recording.media.MediaMetadata;
import io.beamline.recording.service.ReconciliationJob;
import io.beamline.recording.service.RecordingService;
import io.beamline.recording.storage.ObjectStore;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The reconciliation finds every difference between the database and the bucket. */
@QuarkusTest
class ReconciliationTest {

  @Inject RecordingService recordings;
  @Inject ObjectStore store;
  @Inject Ffprobe ffprobe;
  @Inject ReconciliationJob job;
  @Inject MinioClient minio;

  @Test
  void shouldReportMissingObjectsAndObjectsWithoutRecord() throws Exception {
    byte[] media = TestSupport.fmp4(2);
    String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
    UUID lost = seed(account, media);
    UUID intact = seed(account, media);
    String lostKey =
        store.list(account + "/").keySet().stream()
            .filter(k -> k.contains(lost.toString()))
            .findFirst()
            .orElseThrow();
    store.remove(lostKey);
    String stray = account + "/stray/" + UUID.randomUUID() + ".mp4";
    minio.putObject(
        PutObjectArgs.builder()
            .bucket(store.bucket())
            .object(stray)
            .data(media, media.length)
            .build());

    ReconciliationJob.Report report = job.run();
    assertTrue(report.missing().contains(lostKey), report.toString());
    assertTrue(report.orphans().contains(stray), report.toString());
    assertFalse(report.missing().stream().anyMatch(k -> k.contains(intact.toString())));

    String key = TestApiKeys.apiKey(TestApiKeys.nextKeyId(), account, Set.of("recordings:read"));
    given()
        .auth()
        .oauth2(key)
        .get("/api/v3/media/assets/" + lost)
        .then()
        .body("data.status", equalTo("error"))
        .body("data.error", containsString("object missing from the store"))
        .body("data.segments[0].status", equalTo("missing"));
    given()
        .auth()
        .oauth2(key)
        .get("/api/v3/media/assets/" + intact)
        .then()
        .body("data.status", equalTo("complete"));

    ReconciliationJob.Report again = job.run();
    assertFalse(again.missing().contains(lostKey), "reported once, then recorded as missing");
    assertEquals(report.orphans().contains(stray), again.orphans().contains(stray));
    store.remove(stray);
  }

  @Test
  void shouldAbortAnOldUploadThatNoRecordingOwns() throws Exception {
    String key = "acct-orphan/" + UUID.randomUUID() + ".mp4";
    String upload = store.createUpload(key);
    store.uploadPart(key, upload, 1, new byte[1024], 1024);
    assertTrue(store.openUploads().stream().anyMatch(u -> u.uploadId().equals(upload)));
    // Once older than beamline.recording.reconciliation.orphan-upload-age (1 s in tests), a run
    // aborts it.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> job.run().abortedUploads().contains(key));
    assertFalse(store.openUploads().stream().anyMatch(u -> u.uploadId().equals(upload)));
  }

  private UUID seed(String account, byte[] media) throws Exception {
    String owner = "seed-" + UUID.randomUUID();
    FeedStartedEvent event =
        new FeedStartedEvent(
            UUID.randomUUID(),
            account,
            Instant.now(),
            account + "/s",
            "s",
            1,
            "local",
            "feed-" + UUID.randomUUID(),
            1,
            UUID.randomUUID().toString().substring(0, 6),
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
}
