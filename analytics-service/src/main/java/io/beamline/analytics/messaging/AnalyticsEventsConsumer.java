package io.beamline.analytics.messaging;

import io.beamline.analytics.config.AnalyticsConfig;
import io.beamline.analytics.service.IngestService;
import io.beamline.events.BeamlineEvent;
import io.beamline.events.EventCatalog;
import io.beamline.events.StreamScoped;
import io.beamline.events.Topics;
import io.beamline.events.stream.FeedEndedEvent;
import io.beamline.events.stream.FeedStartedEvent;
import io.beamline.events.stream.ViewerJoinedEvent;
import io.beamline.events.stream.ViewerLeftEvent;
import io.beamline.platform.inbox.IncomingEvent;
import io.beamline.platform.outbox.OutboxProducer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
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

  /** This service's name in dead-letter topic names. */
  public static final String SERVICE = "analytics-service";

  private final IngestService ingest;
  private final AnalyticsConfig config;
  private final OutboxProducer deadLetters;
  private final String bootstrapServers;
  private final List<Worker> workers = new CopyOnWriteArrayList<>();
  private volatile boolean running;

  public AnalyticsEventsConsumer(
      IngestService ingest,
      AnalyticsConfig config,
      OutboxProducer deadLetters,
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
    if (running) {
      return;
    }
    running = true;
    for (int i = 0; i < config.ingest().consumers(); i++) {
      Worker worker = new Worker(i);
      workers.add(worker);
      worker.thread.start();
    }
  }

  void stop(@Observes ShutdownEvent ignored) {
    running = false;
    workers.forEach(Worker::wakeup);
    for (Worker worker : workers) {
      try {
        worker.thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Whether every started consumer thread is polling (none started: whether that is intended). */
  public boolean healthy() {
    return workers.isEmpty()
        ? !config.ingest().enabled()
        : workers.stream().allMatch(w -> w.polling);
  }

  /** The topics this service reads: every stream-keyed topic of the contract. */
  public static List<String> topics() {
    return Topics.STREAM_TOPICS;
  }

  /** One consumer thread. */
  private final class Worker implements Runnable {

    private final Thread thread;
    private volatile KafkaConsumer<String, String> consumer;
    private volatile boolean polling;

    Worker(int index) {
      thread = new Thread(this, "analytics-ingest-" + index);
      thread.setDaemon(true);
    }

    void wakeup() {
      KafkaConsumer<String, String> current = consumer;
      if (current != null) {
        current.wakeup();
      }
    }

    @Override
    public void run() {
      while (running) {
        try (KafkaConsumer<String, String> kafka = new KafkaConsumer<>(properties())) {
          consumer = kafka;
          kafka.subscribe(topics());
          polling = true;
          List<BeamlineEvent> batch = new ArrayList<>();
          long batchStart = 0;
          while (running) {
            ConsumerRecords<String, String> records = kafka.poll(config.ingest().pollTimeout());
            if (!records.isEmpty()) {
              if (batch.isEmpty()) {
                batchStart = System.nanoTime();
              }
              decode(records, batch);
            }
            // A batch gathers polls while the broker holds more for us, and is applied as soon as
            // we are caught up: big batches under load, no added delay when idle.
            boolean full =
                batch.size() >= config.ingest().maxBatchEvents()
                    || System.nanoTime() - batchStart >= config.ingest().maxBatchDelay().toNanos();
            if (!batch.isEmpty() && (full || records.isEmpty() || caughtUp(kafka))) {
              ingest.apply(batch);
              // Everything polled so far is applied: the positions are exactly what to commit.
              kafka.commitSync();
              batch = new ArrayList<>();
            }
          }
        } catch (WakeupException e) {
          return;
        } catch (Exception e) {
          // The batch was rolled back and its offsets not committed: a new consumer starts again
          // from the last commit, and the inbox makes the replay harmless.
          polling = false;
          Log.warnf(e, "analytics ingestion failed: %s; retrying", e.getMessage());
          pause();
        } finally {
          polling = false;
          consumer = null;
        }
      }
    }

    private void decode(ConsumerRecords<String, String> records, List<BeamlineEvent> into)
        throws InterruptedException, ExecutionException {
      for (ConsumerRecord<String, String> record : records) {
        try {
          into.add(read(record));
        } catch (RuntimeException e) {
          deadLetter(record, e);
        }
      }
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

    private void pause() {
      try {
        Thread.sleep(config.ingest().retryBackoff().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running = false;
      }
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
    if (record.value() != null && record.value().contains("\\u0000")) {
      throw new IllegalArgumentException("a text contains a NUL character (not storable)");
    }
    Class<? extends BeamlineEvent> type = EventCatalog.forTopic(record.topic()).payloadType();
    BeamlineEvent event = IncomingEvent.read(record, type).payload();
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

  private void deadLetter(ConsumerRecord<String, String> record, RuntimeException cause)
      throws InterruptedException, ExecutionException {
    String topic = Topics.deadLetter(SERVICE, record.topic());
    Log.errorf(
        "unreadable %s record at partition %d offset %d: %s; sent to %s",
        record.topic(), record.partition(), record.offset(), cause.getMessage(), topic);
    ProducerRecord<String, byte[]> dead =
        new ProducerRecord<>(
            topic, record.key(), record.value() == null ? null : record.value().getBytes());
    record.headers().forEach(h -> dead.headers().add(h));
    dead.headers().add("dead-letter-reason", String.valueOf(cause.getMessage()).getBytes());
    // Wait for the broker: the offset past this record is committed right after.
    deadLetters.get().send(dead).get();
  }

  private Properties properties() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.ingest().groupId());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, SERVICE + "-ingest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.ingest().maxPollRecords()));
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // Larger fetches: the broker answers a burst in fewer, fuller responses.
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(64 * 1024 * 1024));
    // At most 1 MB per partition in a fetch: every poll then mixes all partitions, so a batch holds
    // both the viewer-joined and viewer-left events of the same moment, and a session that starts
    // and ends within one batch is written once.
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(1024 * 1024));
    p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, Long.toString(Duration.ofSeconds(30).toMillis()));
    return p;
  }
}
