package io.beamline.recording.messaging;

import io.beamline.events.Topics;
import io.beamline.events.stream.FeedEndedEvent;
import io.beamline.events.stream.FeedStartedEvent;
import io.beamline.events.stream.SourceSwitchedEvent;
import io.beamline.events.stream.StreamEndedEvent;
import io.beamline.platform.inbox.IncomingEvent;
import io.beamline.platform.kafka.ConsumerLoop;
import io.beamline.platform.kafka.ConsumerSettings;
import io.beamline.platform.kafka.DeadLetters;
import io.beamline.recording.config.RecordingConfig;
import io.beamline.recording.service.RecordingService;
import io.beamline.recording.service.RecordingWorkers;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reads the stream events that start and end recordings ({@code feed-started}, {@code feed-ended},
 * {@code source-switched}, {@code stream-ended}) and hands each to {@link RecordingService}, then
 * starts the recordings it created on this instance.
 *
 * <p>A raw consumer in one consumer group: the topics share the {@code streamId} key and partition
 * count, so every event of a stream reaches the same instance, and Kafka's partition assignment
 * spreads streams over instances. The range assignor gives an instance the same partition numbers
 * of every topic, and a rebalance listener hands the stream partitions it gets or loses to {@link
 * RecordingWorkers}, which claims or hands over their recordings. Each event is applied in its own
 * transaction with its inbox entry and its offset committed after it; unreadable records go to
 * {@code <topic>.recording-service.dlq}.
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
  private final DeadLetters deadLetters;
  private final String bootstrapServers;
  private volatile ConsumerLoop loop;

  public RecordingEventsConsumer(
      RecordingService recordings,
      RecordingWorkers workers,
      RecordingConfig config,
      DeadLetters deadLetters,
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
    loop =
        ConsumerLoop.start(
            "recording-events",
            this::properties,
            RETRY,
            new ConsumerLoop.Work() {
              @Override
              public boolean connected(KafkaConsumer<String, String> kafka) {
                kafka.subscribe(TOPICS, new Ownership());
                return true;
              }

              @Override
              public boolean pollOnce(KafkaConsumer<String, String> kafka) throws Exception {
                for (ConsumerRecord<String, String> record : kafka.poll(Duration.ofMillis(500))) {
                  apply(record);
                  // Applied (or dead-lettered): never seen again by this group, even after a
                  // crash.
                  kafka.commitSync(
                      Map.of(
                          new TopicPartition(record.topic(), record.partition()),
                          new OffsetAndMetadata(record.offset() + 1)));
                }
                return true;
              }
            });
  }

  void stop(@Observes ShutdownEvent ignored) {
    ConsumerLoop current = loop;
    if (current != null) {
      current.stop(Duration.ofSeconds(10));
    }
  }

  /** Whether the consumer is polling (or deliberately not started). */
  public boolean healthy() {
    ConsumerLoop current = loop;
    return !config.worker().enabled() || (current != null && current.polling());
  }

  private void apply(ConsumerRecord<String, String> record) {
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
              .feedStarted(event.eventId(), e, record.partition(), workers.workerId())
              .ifPresent(workers::run);
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

  /** Hands the stream partitions this instance gets or loses to the recording workers. */
  private final class Ownership implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      workers.revoking(streamPartitions(partitions));
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      workers.assigned(streamPartitions(partitions));
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      workers.lost(streamPartitions(partitions));
    }

    /** feed-started's partitions: a recording is filed under the partition of its feed-started. */
    private List<Integer> streamPartitions(Collection<TopicPartition> partitions) {
      return partitions.stream()
          .filter(p -> p.topic().equals(Topics.FEED_STARTED))
          .map(TopicPartition::partition)
          .toList();
    }
  }

  /** The record as {@code type}, or null after sending it to the dead-letter topic. */
  private <T> IncomingEvent<T> read(ConsumerRecord<String, String> record, Class<T> type) {
    try {
      IncomingEvent<T> event = IncomingEvent.read(record, type);
      if (event.payload() instanceof io.beamline.events.StreamEvent s
          && (s.streamId() == null || s.accountId() == null || s.streamName() == null)) {
        throw new IllegalArgumentException("missing streamId, accountId or streamName");
      }
      return event;
    } catch (RuntimeException e) {
      // Waits for the broker: the offset past this record is committed right after.
      deadLetters.send(record, e);
      return null;
    }
  }

  private Properties properties() {
    Properties p =
        ConsumerSettings.of(bootstrapServers, config.worker().groupId(), SERVICE + "-workers");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100");
    // New topics' partitions (and new instances) are picked up within seconds.
    p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "10000");
    // Range: an instance gets the same partition numbers of every stream topic, so the partition
    // of a recording's feed-started decides its owner for all of the stream's events.
    p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
    // A crashed instance's partitions, and so its recordings, move to the others after this.
    long session = config.worker().sessionTimeout().toMillis();
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(session));
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Long.toString(Math.max(500, session / 4)));
    return p;
  }
}
