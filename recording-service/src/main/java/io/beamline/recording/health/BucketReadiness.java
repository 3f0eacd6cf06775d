package io.beamline.recording.health;

import io.beamline.recording.config.S3Config;
import io.minio.BucketExistsArgs;
import io.minio.MinioClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the recordings bucket exists and the object store answers with these keys. */
@Readiness
@ApplicationScoped
public class BucketReadiness implements HealthCheck {

  static final String NAME = "s3-bucket";

  private final MinioClient client;
  private final S3Config config;

  public BucketReadiness(MinioClient client, S3Config config) {
    this.client = client;
    this.config = config;
  }

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response =
        HealthCheckResponse.named(NAME).withData("bucket", config.bucket());
    try {
      boolean exists =
          client.bucketExists(BucketExistsArgs.builder().bucket(config.bucket()).build());
      if (!exists) {
        response.withData("error", "bucket does not exist");
      }
      return response.status(exists).build();
    } catch (Exception e) {
      return response.down().withData("error", String.valueOf(e.getMessage())).build();
    }
  }
}
