package io.beamline.analytics.messaging;

import io.beamline.analytics.config.AnalyticsConfig;
import io.beamline.analytics.service.IngestService;
import io.beamline.events.BeamlineEvent;
import io.beamline.events.StreamScoped;
import io.beamline.events.Topics;
import io.beamline.events.stream.FeedEndedEvent;
import io.beamline.events.stream.FeedStartedEvent;
import io.beamline.events.stream.ViewerJoinedEvent;
import io.beamline.events.stream.ViewerLeftEvent;
import io.beamline.platform.kafka.ConsumerLoop;
import io.beamline.platform.kafka.ConsumerSettings;
import io.beamline.platform.kafka.DeadLetters;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reads every stream, recording and restream topic in batches and hands each batch (several polls,
 * up to {@code analytics.ingest.max-batch-events}) to {@link IngestService} as one transaction;
 * offsets are committed only after that transaction.
 *
 * <p>A raw consumer rather than a messaging channel per topic: one batch over all topics becomes
 * one transaction with multi-row upserts, which is what lets ingestion keep up with a viewer burst.
 * The stream topics share one partition count and key, so the range assignor gives one thread every
 * topic's partition of a stream. Unreadable records go to {@code <topic>.analytics-service.dlq},
 * like a channel's dead-letter queue.
 */
@ApplicationScoped
public class AnalyticsEventsConsumer {

  /**
   * How far (record time, ms) a partition may run ahead of the least advanced one with a backlog
   * before it is paused; small against a batch, which spans about a second of a burst.
   */
  static final long IN_STEP_SLACK_MS = 50;

  /** This service's name in dead-letter topic names. */
  public static final String SERVICE = "analytics-service";

  private final IngestService ingest;
  private final AnalyticsConfig config;
  private final DeadLetters deadLetters;
  private final String bootstrapServers;
  private final List<ConsumerLoop> loops = new CopyOnWriteArrayList<>();

  public AnalyticsEventsConsumer(
      IngestService ingest,
      AnalyticsConfig config,
      DeadLetters deadLetters,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
    this.ingest = ingest;
    this.config = config;
    this.deadLetters = deadLetters;
    this.bootstrapServers = bootstrapServers;
  }

  void start(@Observes StartupEvent ignored) {
    if (config.ingest().enabled()) {
      startWorkers();
    }
  }

  /**
   * Starts the consumer threads; called at startup unless {@code analytics.ingest.enabled} is
   * false, in which case a caller (the ingestion benchmark) decides when consumption begins.
   */
  public synchronized void startWorkers() {
    if (!loops.isEmpty()) {
      return;
    }
    for (int i = 0; i < config.ingest().consumers(); i++) {
      loops.add(
          ConsumerLoop.start(
              "analytics-ingest-" + i,
              this::properties,
              config.ingest().retryBackoff(),
              new Batching()));
    }
  }

  /**
   * Stops the consumer threads (each finishes or abandons its current batch; an abandoned one is
   * not committed and comes again); {@link #startWorkers} may start them again.
   */
  public synchronized void stopWorkers() {
    loops.forEach(loop -> loop.stop(Duration.ofSeconds(10)));
    loops.clear();
  }

  void stop(@Observes ShutdownEvent ignored) {
    stopWorkers();
  }

  /** Whether every started consumer thread is polling (none started: whether that is intended). */
  public boolean healthy() {
    return loops.isEmpty()
        ? !config.ingest().enabled()
        : loops.stream().allMatch(ConsumerLoop::polling);
  }

  /** The topics this service reads: every stream-keyed topic of the contract. */
  public static List<String> topics() {
    return Topics.STREAM_TOPICS;
  }

  /**
   * What one consumer thread does: each round gathers polls into one batch, applies it in one
   * transaction and commits the offsets after it. A failure anywhere leaves the batch uncommitted:
   * the shared loop closes the consumer, pauses and starts again from the last commit, and the
   * inbox makes the replay harmless.
   */
  private final class Batching implements ConsumerLoop.Work {

    /** Record time of the last record polled from each partition (this consumer's). */
    private final Map<TopicPartition, Long> polledUpTo = new HashMap<>();

    @Override
    public boolean connected(KafkaConsumer<String, String> kafka) {
      polledUpTo.clear();
      kafka.subscribe(topics());
      return true;
    }

    @Override
    public boolean pollOnce(KafkaConsumer<String, String> kafka) throws Exception {
      List<BeamlineEvent> batch = new ArrayList<>();
      long batchStart = 0;
      boolean polled = false;
      long pollNanos = 0;
      long decodeNanos = 0;
      while (true) {
        long t = System.nanoTime();
        ConsumerRecords<String, String> records = kafka.poll(config.ingest().pollTimeout());
        long polledAt = System.nanoTime();
        if (!records.isEmpty()) {
          if (!polled) {
            batchStart = t;
            polled = true;
          }
          pollNanos += polledAt - t;
          decode(records, batch);
          decodeNanos += System.nanoTime() - polledAt;
        }
        keepInStep(kafka, records);
        // A batch gathers polls while the broker holds more for us, and is applied as soon as we
        // are caught up: big batches under load, no added delay when idle.
        boolean full =
            batch.size() >= config.ingest().maxBatchEvents()
                || System.nanoTime() - batchStart >= config.ingest().maxBatchDelay().toNanos();
        if (!polled || full || records.isEmpty() || caughtUp(kafka)) {
          break;
        }
      }
      long applyStart = System.nanoTime();
      if (!batch.isEmpty()) {
        ingest.apply(batch);
      }
      if (polled) {
        // Everything polled so far is applied (or was dead-lettered): the positions are exactly
        // what to commit, and only now that the batch's transaction has committed.
        long commitStart = System.nanoTime();
        kafka.commitSync();
        Log.debugf(
            "gathered %d events: poll %d ms, decode %d ms, apply %d ms, offset commit %d ms",
            batch.size(),
            pollNanos / 1_000_000,
            decodeNanos / 1_000_000,
            (commitStart - applyStart) / 1_000_000,
            (System.nanoTime() - commitStart) / 1_000_000);
      }
      return true;
    }

    private void decode(ConsumerRecords<String, String> records, List<BeamlineEvent> into) {
      for (ConsumerRecord<String, String> record : records) {
        try {
          into.add(read(record));
        } catch (RuntimeException e) {
          deadLetters.send(record, e);
        }
      }
    }

    /**
     * Reads the topics in step, in record-time order: a partition whose records are ahead of the
     * least advanced partition that still has a backlog is paused until that one catches up.
     *
     * <p>Why: a viewer's joined and left events sit on two topics. Each fetch takes up to the same
     * number of bytes from every partition, and left events are larger, so under a backlog the
     * viewer-joined topic ran further and further ahead (by 25,000 events a batch at the end of the
     * benchmark's burst). Then a session's join is inserted in one batch and its leave updates the
     * row in a later one; read in step, both halves land in the same batch and the row is written
     * once. A partition without a backlog never holds the others back, and the least advanced one
     * is never paused, so every partition keeps moving.
     */
    private void keepInStep(
        KafkaConsumer<String, String> kafka, ConsumerRecords<String, String> records) {
      for (TopicPartition partition : records.partitions()) {
        List<ConsumerRecord<String, String>> polled = records.records(partition);
        polledUpTo.put(partition, polled.get(polled.size() - 1).timestamp());
      }
      Set<TopicPartition> assigned = kafka.assignment();
      long frontier = Long.MAX_VALUE;
      List<TopicPartition> behind = new ArrayList<>();
      for (TopicPartition partition : assigned) {
        OptionalLong lag = kafka.currentLag(partition);
        Long at = polledUpTo.get(partition);
        if (at != null && lag.isPresent() && lag.getAsLong() > 0) {
          behind.add(partition);
          frontier = Math.min(frontier, at);
        }
      }
      List<TopicPartition> pause = new ArrayList<>();
      for (TopicPartition partition : behind) {
        if (polledUpTo.get(partition) > frontier + IN_STEP_SLACK_MS) {
          pause.add(partition);
        }
      }
      List<TopicPartition> resume = new ArrayList<>(kafka.paused());
      resume.removeAll(pause);
      resume.retainAll(assigned);
      if (!resume.isEmpty()) {
        kafka.resume(resume);
      }
      if (!pause.isEmpty()) {
        kafka.pause(pause);
      }
      polledUpTo.keySet().retainAll(assigned);
    }

    /** Whether the last fetch of every assigned partition reached its end (lag unknown: no). */
    private boolean caughtUp(KafkaConsumer<String, String> kafka) {
      for (TopicPartition partition : kafka.assignment()) {
        OptionalLong lag = kafka.currentLag(partition);
        if (lag.isEmpty() || lag.getAsLong() > 0) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Reads one record as its topic's payload record and checks the fields analytics keys on.
   *
   * @throws IllegalArgumentException when the record cannot be applied, naming why
   */
  static BeamlineEvent read(ConsumerRecord<String, String> record) {
    // PostgreSQL text cannot hold a NUL character: such a record could never be written, and
    // would stop its whole batch from committing again and again. JSON can only carry it escaped.
    // (A backslash first: a single-character scan, and JSON without escapes has none.)
    if (record.value() != null
        && record.value().indexOf('\\') >= 0
        && record.value().contains("\\u0000")) {
      throw new IllegalArgumentException("a text contains a NUL character (not storable)");
    }
    BeamlineEvent event = EventReader.read(record);
    require(event.eventId() != null, "eventId");
    require(event.accountId() != null && !event.accountId().isBlank(), "accountId");
    require(event.occurredAt() != null, "occurredAt");
    if (event instanceof StreamScoped scoped) {
      require(scoped.streamName() != null && !scoped.streamName().isBlank(), "streamName");
    }
    if (event instanceof ViewerJoinedEvent e) {
      require(e.viewerSessionId() != null, "viewerSessionId");
    } else if (event instanceof ViewerLeftEvent e) {
      require(e.viewerSessionId() != null, "viewerSessionId");
    } else if (event instanceof FeedStartedEvent e) {
      require(e.feedId() != null, "feedId");
    } else if (event instanceof FeedEndedEvent e) {
      require(e.feedId() != null, "feedId");
    } else if (event instanceof io.beamline.events.stream.StreamStatsEvent e) {
      require(e.intervalStart() != null && e.intervalEnd() != null, "intervalStart/intervalEnd");
    }
    return event;
  }

  private static void require(boolean ok, String field) {
    if (!ok) {
      throw new IllegalArgumentException("missing or blank " + field);
    }
  }

  private Properties properties() {
    Properties p =
        ConsumerSettings.of(bootstrapServers, config.ingest().groupId(), SERVICE + "-ingest");
    fetchSettings(p, config.ingest().maxPollRecords());
    p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, Long.toString(Duration.ofSeconds(30).toMillis()));
    long sessionMillis = config.ingest().sessionTimeout().toMillis();
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(sessionMillis));
    // Kafka wants heartbeats at most a third of the session apart (its defaults: 3 s and 45 s).
    p.put(
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
        Long.toString(Math.min(3000, sessionMillis / 3)));
    return p;
  }

  /**
   * Puts the ingestion consumer's fetch settings into {@code p}; public so that the ingestion
   * benchmark's plain consumer, the ceiling the service is measured against, reads with exactly the
   * same.
   */
  public static void fetchSettings(Properties p, int maxPollRecords) {
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxPollRecords));
    // Larger fetches: the broker answers a burst in fewer, fuller responses.
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(64 * 1024 * 1024));
    // At most 1 MB per partition in a fetch: every poll then mixes all partitions, so a batch holds
    // events of every topic from about the same moment (keepInStep keeps them there).
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(1024 * 1024));
  }
}
