package io.beamline.analytics.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of analytics-service: ingestion from Kafka and retention of what it keeps. */
@ConfigMapping(prefix = "analytics")
public interface AnalyticsConfig {

  /** How events are read from Kafka. */
  Ingest ingest();

  /** How long each kind of data is kept. */
  Retention retention();

  /** GraphQL settings. */
  Graphql graphql();

  /** GraphQL settings. */
  interface Graphql {

    /** How often a live viewers subscription checks for a change (default {@code 1s}). */
    @WithDefault("1s")
    Duration livePollInterval();
  }

  /** Ingestion settings. */
  interface Ingest {

    /** Whether this instance consumes events (default {@code true}). */
    @WithDefault("true")
    boolean enabled();

    /** Kafka consumer group shared by every instance (default {@code analytics-service}). */
    @WithDefault("analytics-service")
    String groupId();

    /**
     * Consumer threads of this instance (default {@code 2}); more than the stream topics' partition
     * count (6) over all instances would sit idle.
     */
    @WithDefault("2")
    int consumers();

    /** Most records one poll returns (default {@code 20000}). */
    @WithDefault("20000")
    int maxPollRecords();

    /**
     * Most events one transaction applies (default {@code 60000}): polls are gathered until this
     * many, until a poll comes back empty, or until {@link #maxBatchDelay()}. Bigger batches write
     * each aggregate row and each session once for many events; the cost is memory (about 1 KB an
     * event) and, on failure, a bigger replay.
     */
    @WithDefault("60000")
    int maxBatchEvents();

    /** Longest a batch gathers polls before it is applied (default {@code 1s}). */
    @WithDefault("1s")
    Duration maxBatchDelay();

    /** How long a poll waits for records (default {@code 200ms}). */
    @WithDefault("200ms")
    Duration pollTimeout();

    /**
     * How long the broker waits for a silent consumer before giving its partitions to another
     * member (default {@code 45s}, Kafka's own): a crashed instance's partitions stand still that
     * long. The broker accepts 6 s to 30 min unless configured otherwise.
     */
    @WithDefault("45s")
    Duration sessionTimeout();

    /** Pause after a failed batch before reading it again (default {@code 1s}). */
    @WithDefault("1s")
    Duration retryBackoff();
  }

  /** Retention per resolution (reference defaults: hour data 7 days, day data 365 days). */
  interface Retention {

    /** Minute buckets (default {@code P2D}). */
    @WithDefault("P2D")
    Duration minute();

    /** Hour buckets (default {@code P7D}). */
    @WithDefault("P7D")
    Duration hour();

    /** Day buckets, which also answer Month series (default {@code P365D}). */
    @WithDefault("P365D")
    Duration day();

    /**
     * Raw feeds and viewer sessions (GraphQL Feed and StreamView) and the ids of applied events
     * (default {@code P30D}); a redelivery older than this would count again.
     */
    @WithDefault("P30D")
    Duration raw();

    /** How often expired data is deleted (default {@code 1h}). */
    @WithDefault("1h")
    Duration purgeInterval();
  }
}
