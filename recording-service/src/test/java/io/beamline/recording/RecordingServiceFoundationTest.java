package io.beamline.recording;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.beamline.devstack.test.ServiceFoundationContract;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveBucketArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.messages.Item;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The shared service foundation checks, applied to recording-service, whose readiness also covers
 * its bucket.
 */
@QuarkusTest
class RecordingServiceFoundationTest extends ServiceFoundationContract {

  @Inject MinioClient minio;

  RecordingServiceFoundationTest() {
    super("recording-service", "recording", Set.of("recordings:read", "recordings:write"));
  }

  @Override
  protected List<String> serviceMigrations() {
    return List.of(
        "1 db/migration/V1__recording_baseline.sql",
        "2 db/migration/V2__media_assets.sql",
        "3 db/migration/V3__partition_and_expiration.sql");
  }

  @Override
  protected List<String> extraReadinessChecks() {
    return List.of("s3-bucket", "recording-workers");
  }

  @Test
  void shouldReportNotReadyWhenBucketIsMissing() throws Exception {
    given()
        .get("/q/health/ready")
        .then()
        .body("checks.find { it.name == 's3-bucket' }.status", equalTo("UP"))
        .body("checks.find { it.name == 's3-bucket' }.data.bucket", equalTo("recordings"));
    // A bucket must be empty to be removed: set other tests' recordings aside and put them back.
    Map<String, byte[]> kept = new LinkedHashMap<>();
    for (Result<Item> result :
        minio.listObjects(ListObjectsArgs.builder().bucket("recordings").recursive(true).build())) {
      String key = result.get().objectName();
      try (var in =
          minio.getObject(GetObjectArgs.builder().bucket("recordings").object(key).build())) {
        kept.put(key, in.readAllBytes());
      }
      minio.removeObject(RemoveObjectArgs.builder().bucket("recordings").object(key).build());
    }
    minio.removeBucket(RemoveBucketArgs.builder().bucket("recordings").build());
    try {
      given()
          .get("/q/health/ready")
          .then()
          .statusCode(503)
          .body("status", equalTo("DOWN"))
          .body("checks.find { it.name == 's3-bucket' }.status", equalTo("DOWN"))
          .body(
              "checks.find { it.name == 's3-bucket' }.data.error",
              equalTo("bucket does not exist"));
    } finally {
      minio.makeBucket(MakeBucketArgs.builder().bucket("recordings").build());
      for (Map.Entry<String, byte[]> object : kept.entrySet()) {
        minio.putObject(
            PutObjectArgs.builder()
                .bucket("recordings")
                .object(object.getKey())
                .data(object.getValue(), object.getValue().length)
                .build());
      }
    }
    given()
        .get("/q/health/ready")
        .then()
        .body("checks.find { it.name == 's3-bucket' }.status", equalTo("UP"));
  }
}
