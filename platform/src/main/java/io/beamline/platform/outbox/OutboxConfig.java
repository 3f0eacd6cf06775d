package io.beamline.platform.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Tuning of the transactional outbox relay. */
@ConfigMapping(prefix = "beamline.outbox")
public interface OutboxConfig {

  /** Whether this instance relays the outbox to Kafka; default {@code true}. */
  @WithDefault("true")
  boolean relayEnabled();

  /** How often the relay looks for unpublished rows; default {@code 200ms}. */
  @WithDefault("200ms")
  Duration pollInterval();

  /** Rows published per relay transaction; default {@code 500}. */
  @WithDefault("500")
  int batchSize();

  /**
   * How far below the highest position it published the relay starts looking for unpublished rows;
   * default {@code 1000}. Rows below that (committed late by a long transaction) wait for the next
   * whole scan.
   */
  @WithDefault("1000")
  long scanSlack();

  /**
   * How often the relay scans the whole outbox rather than from just below what it published last;
   * default {@code 2s}.
   */
  @WithDefault("2s")
  Duration wholeScanInterval();

  /** How long the relay waits for the broker to acknowledge a batch; default {@code 10s}. */
  @WithDefault("10s")
  Duration sendTimeout();

  /**
   * How long published rows are kept for audit before they are purged; default {@code 3d}. Zero
   * deletes each row as soon as the broker acknowledged it: for a service whose outbox carries a
   * high event rate, marking a row published rewrites it and every index entry, deleting does not.
   */
  @WithDefault("3d")
  Duration retention();

  /**
   * The CloudEvents {@code source} of every event this service emits, e.g. {@code
   * /beamline/token-service}.
   */
  @WithDefault("/beamline/${quarkus.application.name}")
  String source();
}
