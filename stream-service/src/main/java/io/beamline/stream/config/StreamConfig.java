package io.beamline.stream.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** stream-service settings under {@code beamline.stream}. */
@ConfigMapping(prefix = "beamline.stream")
public interface StreamConfig {

  /** token-service, which decides every publish and play. */
  TokenService tokenService();

  /** The media node this instance drives (one per instance in this increment). */
  MediaNode mediaNode();

  /** The short-lived JWTs the Director hands out and media callbacks present back. */
  MediaJwt mediaJwt();

  /**
   * Viewer joins waiting together are written in one transaction of at most this many (with one
   * sequence bump per stream and JDBC batch inserts); under light load each is its own batch.
   */
  @WithDefault("200")
  int joinBatchSize();

  /**
   * How long a stream's live feeds and publish token, as viewer joins read them, are kept in
   * memory; this instance forgets them at once when it changes them, so this only bounds how late
   * it sees another instance's changes ({@code 0} reads the database for every join).
   */
  @WithDefault("1s")
  Duration liveViewTtl();

  /** An HLS viewer that asked for nothing for this long has left. */
  @WithDefault("30s")
  Duration hlsIdleTimeout();

  /**
   * Ended viewer sessions, and media grants expired with no live session left, are deleted this
   * long after their end or expiry (their events are on Kafka, and analytics keeps the history).
   */
  @WithDefault("7d")
  Duration historyRetention();

  /**
   * Addresses (IPv4/IPv6, single or CIDR) of reverse proxies whose {@code X-Forwarded-For} is
   * believed; from anyone else the header is ignored.
   */
  Optional<List<String>> trustedProxies();

  /** How often the media node's {@code /stat} is read for byte counters. */
  @WithDefault("5s")
  Duration statInterval();

  /**
   * How often each live stream's traffic is published as {@code stream-stats}: often enough for
   * analytics to show bytes and viewers within seconds.
   */
  @WithDefault("10s")
  Duration statsEventInterval();

  /**
   * Display details of clusters by id ({@code beamline.stream.clusters.<id>.name}, {@code .city},
   * {@code .region}, {@code .country}); a viewer in a cluster's country is sent there.
   */
  Map<String, Cluster> clusters();

  /** How a cluster is shown in {@code /api/cluster}. */
  interface Cluster {
    Optional<String> name();

    Optional<String> city();

    Optional<String> region();

    /** ISO 3166 alpha-2 country of the cluster's location. */
    Optional<String> country();
  }

  /** token-service's address and the key stream-service presents to its internal endpoints. */
  interface TokenService {
    @WithDefault("http://127.0.0.1:8081")
    String url();

    /** The file token-service writes the {@code platform:internal} key to. */
    Optional<Path> internalKeyFile();

    /** The internal key itself (instead of the file). */
    Optional<String> internalKey();

    @WithDefault("3s")
    Duration timeout();
  }

  /** One nginx-rtmp media node: its id, cluster and the URLs clients and stream-service use. */
  interface MediaNode {
    @WithDefault("local-1")
    String id();

    @WithDefault("local")
    String clusterId();

    /** Public RTMP application URL publishers and RTMP viewers connect to. */
    @WithDefault("rtmp://127.0.0.1:1935/live")
    String rtmpUrl();

    /** Public HTTP base URL of HLS playback. */
    @WithDefault("http://127.0.0.1:8086")
    String hlsUrl();

    /** Internal HTTP base URL of {@code /stat} and {@code /control}. */
    @WithDefault("http://127.0.0.1:8087")
    String controlUrl();

    /**
     * The secret the node's callbacks carry ({@code ?key=}; URL-safe characters, e.g. hex). Unset,
     * callbacks are accepted from anyone who can reach this service: development only.
     */
    Optional<String> callbackKey();

    /** The public RTMP application name. */
    @WithDefault("live")
    String app();

    /**
     * UDP port on which this instance receives the node's HLS traffic log (nginx {@code access_log
     * syslog:}, one line per file served): the bytes sent to each HLS viewer. Unset: HLS bytes out
     * are not measured (nginx-rtmp's {@code /stat} counts RTMP players only).
     */
    OptionalInt trafficLogPort();

    /** The address that UDP port is bound to. */
    @WithDefault("0.0.0.0")
    String trafficLogHost();
  }

  /** Media JWT settings. */
  interface MediaJwt {
    /**
     * Base64 HMAC key (at least 32 bytes) shared by every instance; unset = a random key per
     * instance, fine for one instance only.
     */
    Optional<String> secret();

    /** How long a media JWT may be used to start publishing or watching. */
    @WithDefault("60s")
    Duration lifetime();
  }
}
