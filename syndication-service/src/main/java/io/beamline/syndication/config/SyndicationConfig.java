package io.beamline.syndication.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** syndication-service settings under {@code beamline.syndication}. */
@ConfigMapping(prefix = "beamline.syndication")
public interface SyndicationConfig {

  /** Most restream targets of one stream (per-stream targets); default {@code 10}. */
  @WithDefault("10")
  int maxTargetsPerStream();

  /**
   * Whether targets may resolve to loopback, private, link-local, unspecified or multicast
   * addresses; default {@code false} (the SSRF guard refuses them).
   */
  @WithDefault("false")
  boolean allowPrivateTargets();

  /**
   * Addresses (single or CIDR, IPv4 or IPv6) allowed as targets even though the SSRF guard would
   * refuse them, e.g. a partner ingest inside the operator's own network; default none.
   */
  Optional<List<String>> allowedTargetCidrs();

  /** The key this service presents to the internal endpoints of token- and stream-service. */
  Internal internal();

  /** token-service, which holds the restream targets of publish tokens. */
  Service tokenService();

  /** stream-service, which hands out the pull URLs of live streams ({@code /internal/egress}). */
  Service streamService();

  /** The ffmpeg processes that push streams to targets. */
  Jobs jobs();

  /** The master key that seals stream keys at rest. */
  Secrets secrets();

  /** Master key (AES-256-GCM) of the stream keys in the database, with older versions. */
  interface Secrets {
    /**
     * Base64 of 32 random bytes ({@code openssl rand -base64 32}). No default: set {@code
     * BEAMLINE_SYNDICATION_SECRETS_MASTER_KEY}; {@code ./beamline up} generates one in its data
     * dir.
     */
    String masterKey();

    /** Version of {@link #masterKey()}, stored next to every key it seals; default {@code 1}. */
    @WithDefault("1")
    int masterKeyVersion();

    /**
     * Older master keys that may still have sealed rows, as {@code version:base64} entries; rows
     * they sealed are re-sealed with the current key at startup. Default none.
     */
    Optional<List<String>> previousMasterKeys();
  }

  /** The internal {@code platform:internal} key. */
  interface Internal {
    /** The file token-service writes the key to; re-read when it changes. */
    Optional<Path> keyFile();

    /** The key itself (instead of the file). */
    Optional<String> key();
  }

  /** Base URL and timeout of a platform service. */
  interface Service {
    String url();

    /** Connect and request timeout; default {@code 3s}. */
    @WithDefault("3s")
    Duration timeout();
  }

  /** Restream job settings. */
  interface Jobs {
    /** The ffmpeg executable; default {@code ffmpeg} on the PATH. */
    @WithDefault("ffmpeg")
    String ffmpeg();

    /**
     * Whether each ffmpeg is started through {@code setpriv --pdeathsig KILL} so that the kernel
     * kills it when this JVM dies, even of SIGKILL: an orphaned push would duplicate the broadcast
     * once another instance takes the job over. Default {@code true}; needs util-linux's {@code
     * setpriv} (Linux).
     */
    @WithDefault("true")
    boolean killWithParent();

    /**
     * ffmpeg's {@code -rw_timeout} on the pull and on the push: a media node or target that takes
     * the connection but stops answering (a blackhole behind a proxy, a stuck ingest) fails the
     * attempt after this long, and the job retries; default {@code 5s}. A target whose host drops
     * the connection attempt fails at ffmpeg's TCP connect timeout (5 s) in any case.
     */
    @WithDefault("5s")
    Duration ioTimeout();

    /** First retry delay after a failed attempt; doubles per failure; default {@code 2s}. */
    @WithDefault("2s")
    Duration retryBase();

    /** Longest retry delay; default {@code 60s}. */
    @WithDefault("60s")
    Duration retryMax();

    /**
     * Consecutive failed attempts after which a job gives up ({@code failed}); default {@code 8}. A
     * sync or a change of the target starts a new job.
     */
    @WithDefault("8")
    int maxAttempts();

    /** How often an instance claims, starts and stops its jobs; default {@code 1s}. */
    @WithDefault("1s")
    Duration reconcileInterval();

    /**
     * Kafka session timeout of the stream-events consumer: a crashed instance's streams, and so its
     * jobs, move to the others after about this long; default {@code 15s} (the broker allows 6s to
     * 5min by default).
     */
    @WithDefault("15s")
    Duration sessionTimeout();

    /** How long a job's owner lease lasts without renewal; default {@code 30s}. */
    @WithDefault("30s")
    Duration lease();

    /** This instance's id in job leases; default the host name and a random suffix. */
    Optional<String> instanceId();

    /** Consumer group of the stream and token events; default {@code syndication-service}. */
    @WithDefault("syndication-service")
    String groupId();
  }
}
