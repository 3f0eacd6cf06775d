package io.beamline.recording.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** How recordings are pulled, uploaded, handed over and served. */
@ConfigMapping(prefix = "beamline.recording")
public interface RecordingConfig {

  /** Pulling the live feed from the media plane. */
  Egress egress();

  /** The recording workers of this instance. */
  Worker worker();

  /** Multipart uploads into the bucket. */
  Upload upload();

  /** Pre-signed download URLs. */
  Download download();

  /** The periodic comparison of database records with stored objects. */
  Reconciliation reconciliation();

  /** How long finished assets are kept. */
  Retention retention();

  /** Where stream-service's internal egress endpoint is and how to authenticate to it. */
  interface Egress {

    /** Base URL of stream-service; default {@code http://127.0.0.1:8082}. */
    @WithDefault("http://127.0.0.1:8082")
    String url();

    /**
     * File holding the internal API key (scope {@code platform:internal}) that token-service writes
     * at bootstrap; read again whenever it changes. Default {@code .beamline/internal-api-key.txt},
     * where {@code ./beamline up} writes it.
     */
    @WithDefault(".beamline/internal-api-key.txt")
    Path internalKeyFile();

    /** ffmpeg executable; default {@code ffmpeg} from the PATH. */
    @WithDefault("ffmpeg")
    String ffmpeg();

    /** ffprobe executable; default {@code ffprobe} from the PATH. */
    @WithDefault("ffprobe")
    String ffprobe();

    /** How long to wait for an answer from stream-service; default 5 s. */
    @WithDefault("5s")
    Duration timeout();
  }

  /** Recording workers. */
  interface Worker {

    /** Whether this instance consumes stream events and records; default true. */
    @WithDefault("true")
    boolean enabled();

    /** Kafka consumer group of the workers; default {@code recording-service}. */
    @WithDefault("recording-service")
    String groupId();

    /**
     * How long a source may be gone (publisher drop, failover gap) before its recording is
     * completed; a feed back within this window continues the same asset. Default 30 s.
     */
    @WithDefault("30s")
    Duration reconnectWindow();

    /** Pause between two asks for a pull URL while the source is not live; default 1 s. */
    @WithDefault("1s")
    Duration retryInterval();

    /**
     * How long a worker's claim on a recording lasts without renewal; another instance takes the
     * recording over once it lapses. Renewed every third of it. Default 15 s.
     */
    @WithDefault("15s")
    Duration lease();

    /**
     * How often this instance looks for unheld recordings (released, or with a lapsed lease) in the
     * stream partitions assigned to it; default 5 s. A new assignment looks at once.
     */
    @WithDefault("5s")
    Duration takeoverInterval();

    /**
     * Kafka consumer session timeout: an instance that stops heartbeating (a crash) loses its
     * stream partitions, and with them its recordings, after this; default 10 s. The broker accepts
     * 6 s to 5 min by default.
     */
    @WithDefault("10s")
    Duration sessionTimeout();

    /**
     * How long a shutting-down instance waits for its recordings to be handed over (segment
     * completed, recording released) before it leaves the rest to lease expiry; default 10 s.
     */
    @WithDefault("10s")
    Duration handOverTimeout();
  }

  /** Multipart uploads. */
  interface Upload {

    /**
     * Smallest part uploaded before the end of a segment, cut at an fMP4 fragment boundary. S3 and
     * MinIO refuse parts below 5 MiB except the last; default 5242880 (5 MiB). Media not yet in an
     * uploaded part is what a crash can lose.
     */
    @WithDefault("5242880")
    int partSize();
  }

  /** Download links. */
  interface Download {

    /** Validity of a pre-signed download URL when the client asks for none; default 1 h. */
    @WithDefault("1h")
    Duration expiry();
  }

  /** Retention of finished assets. */
  interface Retention {

    /**
     * How long an asset is kept after its recording stopped; it is then deleted with its objects
     * ({@code recording-deleted}, reason {@code expired}) and its {@code expiration} says when.
     * Unset (the default): kept until deleted through the API.
     */
    Optional<Duration> keep();

    /** How often expired assets are looked for; default {@code 1m} ({@code off} disables it). */
    @WithDefault("1m")
    String every();
  }

  /** Reconciliation job. */
  interface Reconciliation {

    /** How often the job runs; default {@code 10m} ({@code off} disables it). */
    @WithDefault("10m")
    String every();

    /**
     * Open multipart uploads with no recording that owns them are aborted once older than this;
     * default 1 h.
     */
    @WithDefault("1h")
    Duration orphanUploadAge();
  }
}
