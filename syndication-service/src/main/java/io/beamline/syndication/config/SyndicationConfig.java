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
