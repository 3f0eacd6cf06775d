package io.beamline.recording.storage;

import io.beamline.recording.config.S3Config;
import io.minio.MinioClient;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;

/** Creates the one MinIO client of this instance and closes it on shutdown. */
@ApplicationScoped
public class MinioClientProducer {

  /**
   * MinIO's default is five minutes; a store that does not answer should fail a readiness probe
   * quickly. Reads and writes keep the long default, since multipart uploads stream large parts.
   */
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(5);

  @Produces
  @Singleton
  MinioClient minioClient(S3Config config) {
    MinioClient client =
        MinioClient.builder()
            .endpoint(config.endpoint())
            .region(config.region())
            .credentials(config.accessKey(), config.secretKey())
            .build();
    client.setTimeout(
        CONNECT_TIMEOUT.toMillis(), TRANSFER_TIMEOUT.toMillis(), TRANSFER_TIMEOUT.toMillis());
    return client;
  }

  // The client owns an OkHttp connection pool whose threads keep the JVM alive for about a minute
  // after shutdown unless it is closed.
  void close(@Disposes MinioClient client) {
    try {
      client.close();
    } catch (Exception e) {
      Log.debugf("closing the MinIO client: %s", e.getMessage());
    }
  }
}
