package io.beamline.recording.messaging;

import io.beamline.events.Topics;
import io.beamline.events.stream.FeedEndedEvent;
import io.beamline.events.stream.FeedStartedEvent;
import io.beamline.events.stream.SourceSwitchedEvent;
import io.beamline.events.stream.StreamEndedEvent;
import io.beamline.platform.inbox.IncomingEvent;
import io.beamline.platform.outbox.OutboxProducer;
import io.beamline.recording.config.RecordingConfig;
import io.beamline.recording.service.RecordingService;
import io.beamline.recording.service.RecordingWorkers;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reads the stream events that start and end recordings ({@code feed-started}, {@code feed-ended},
 * {@code source-switched}, {@code stream-ended}) and hands each to {@link RecordingService}, then
 * starts the recordings it created on this instance.
 *
 * <p>A raw consumer in one consumer group: the topics share the {@code streamId} key and partition
 * count, so every event of a stream reaches the same instance, and Kafka's partition assignment
 * spreads streams over instances. Each event is applied in its own transaction with its inbox entry
 * and its offset committed after it; unreadable records go to {@code
 * <topic>.recording-service.dlq}.
 */
@ApplicationScoped
public class RecordingEventsConsumer {

  /** This service's name in dead-letter topic names. */
  public static final String SERVICE = "recording-service";

  static final List<String> TOPICS =
      List.of(Topics.FEED_STARTED, Topics.FEED_ENDED, Topics.SOURCE_SWITCHED, Topics.STREAM_ENDED);

  private static final Duration RETRY = Duration.ofSeconds(1);

  private final RecordingService recordings;
  private final RecordingWorkers workers;
  private final RecordingConfig config;
  private final OutboxProducer deadLetters;
  private final String bootstrapServers;
  private volatile boolean running;
  private volatile boolean polling;
  private volatile KafkaConsumer<String, String> consumer;
  private Thread thread;

  public RecordingEventsConsumer(
      RecordingService recordings,
      RecordingWorkers workers,
      RecordingConfig config,
      OutboxProducer deadLetters,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
    this.recordings = recordings;
    this.workers = workers;
    this.config = config;
    this.deadLetters = deadLetters;
    this.bootstrapServers = bootstrapServers;
  }

  void start(@Observes StartupEvent ignored) {
    if (!config.worker().enabled()) {
      return;
    }
    running = true;
    thread = new Thread(this::loop, "recording-events");
    thread.setDaemon(true);
    thread.start();
  }

  void stop(@Observes ShutdownEvent ignored) {
    running = false;
    KafkaConsumer<String, String> current = consumer;
    if (current != null) {
      current.wakeup();
    }
    if (thread != null) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Whether the consumer is polling (or deliberately not started). */
  public boolean healthy() {
    return !config.worker().enabled() || polling;
  }

  private void loop() {
    while (running) {
      try (KafkaConsumer<String, String> kafka = new KafkaConsumer<>(properties())) {
        consumer = kafka;
        kafka.subscribe(TOPICS);
        polling = true;
        while (running) {
          ConsumerRecords<String, String> records = kafka.poll(Duration.ofMillis(500));
          for (ConsumerRecord<String, String> record : records) {
            apply(record);
            // Applied (or dead-lettered): never seen again by this group, even after a crash.
            kafka.commitSync(
                java.util.Map.of(
                    new TopicPartition(record.topic(), record.partition()),
                    new OffsetAndMetadata(record.offset() + 1)));
          }
        }
      } catch (WakeupException e) {
        return;
      } catch (Exception e) {
        // Not committed: a new consumer starts again from the last commit, and the inbox makes
        // the replay harmless.
        polling = false;
        Log.warnf(e, "recording events: %s; retrying", e.getMessage());
        sleep();
      } finally {
        polling = false;
        consumer = null;
      }
    }
  }

  private void apply(ConsumerRecord<String, String> record)
      throws InterruptedException, ExecutionException {
    switch (record.topic()) {
      case Topics.FEED_STARTED -> {
        IncomingEvent<FeedStartedEvent> event = read(record, FeedStartedEvent.class);
        if (event != null) {
          FeedStartedEvent e = event.payload();
          Log.infof(
              "feed-started %s of %s (record=%s), %d ms after it occurred",
              e.feedId(),
              e.streamId(),
              e.record(),
              java.time.Duration.between(e.occurredAt(), java.time.Instant.now()).toMillis());
          recordings
              .feedStarted(event.eventId(), e, workers.workerId())
              .ifPresent(asset -> workers.run(asset.id, asset));
        }
      }
      case Topics.FEED_ENDED -> {
        IncomingEvent<FeedEndedEvent> event = read(record, FeedEndedEvent.class);
        if (event != null) {
          recordings.feedEnded(event.eventId(), event.payload());
        }
      }
      case Topics.SOURCE_SWITCHED -> {
        IncomingEvent<SourceSwitchedEvent> event = read(record, SourceSwitchedEvent.class);
        if (event != null) {
          recordings.sourceSwitched(event.eventId(), event.payload());
        }
      }
      case Topics.STREAM_ENDED -> {
        IncomingEvent<StreamEndedEvent> event = read(record, StreamEndedEvent.class);
        if (event != null) {
          for (UUID id : recordings.streamEnded(event.eventId(), event.payload())) {
            workers.endNow(id);
          }
        }
      }
      default -> Log.debugf("ignoring a record of %s", record.topic());
    }
  }

  /** The record as {@code type}, or null after sending it to the dead-letter topic. */
  private <T> IncomingEvent<T> read(ConsumerRecord<String, String> record, Class<T> type)
      throws InterruptedException, ExecutionException {
    try {
      IncomingEvent<T> event = IncomingEvent.read(record, type);
      if (event.payload() instanceof io.beamline.events.StreamEvent s
          && (s.streamId() == null || s.accountId() == null || s.streamName() == null)) {
        throw new IllegalArgumentException("missing streamId, accountId or streamName");
      }
      return event;
    } catch (RuntimeException e) {
      deadLetter(record, e);
      return null;
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
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.worker().groupId());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, SERVICE + "-workers");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100");
    // New topics' partitions (and new instances) are picked up within seconds.
    p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "10000");
    return p;
  }

  private void sleep() {
    try {
      Thread.sleep(RETRY.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }
}
