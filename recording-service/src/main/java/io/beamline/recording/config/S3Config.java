package io.beamline.recording.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where recordings are stored: an S3-compatible object store (MinIO, S3Proxy or AWS S3). */
@ConfigMapping(prefix = "beamline.s3")
public interface S3Config {

  /**
   * Base URL of the object store ({@code BEAMLINE_S3_ENDPOINT}); default {@code
   * http://127.0.0.1:9000}, where {@code ./beamline up} runs S3Proxy.
   */
  @WithDefault("http://127.0.0.1:9000")
  String endpoint();

  /** Access key ({@code BEAMLINE_S3_ACCESS_KEY}); no default. */
  String accessKey();

  /** Secret key ({@code BEAMLINE_S3_SECRET_KEY}); no default. */
  String secretKey();

  /** Bucket holding every recording ({@code BEAMLINE_S3_BUCKET}); default {@code recordings}. */
  @WithDefault("recordings")
  String bucket();

  /**
   * Region the store signs requests for; default {@code us-east-1}. Setting it also spares the
   * client a bucket-location lookup before its first request.
   */
  @WithDefault("us-east-1")
  String region();
}
