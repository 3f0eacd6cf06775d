package io.beamline.recording;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.beamline.devstack.test.ServiceFoundationContract;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.RemoveBucketArgs;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
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
  protected List<String> extraReadinessChecks() {
    return List.of("s3-bucket");
  }

  @Test
  void shouldReportNotReadyWhenBucketIsMissing() throws Exception {
    given()
        .get("/q/health/ready")
        .then()
        .body("checks.find { it.name == 's3-bucket' }.status", equalTo("UP"))
        .body("checks.find { it.name == 's3-bucket' }.data.bucket", equalTo("recordings"));
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
    }
    given()
        .get("/q/health/ready")
        .then()
        .body("checks.find { it.name == 's3-bucket' }.status", equalTo("UP"));
  }
}
