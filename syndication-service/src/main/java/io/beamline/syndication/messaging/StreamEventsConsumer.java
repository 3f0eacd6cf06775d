package io.beamline.syndication.messaging;

import io.beamline.events.Topics;
import io.beamline.events.stream.FeedStartedEvent;
import io.beamline.events.stream.SourceSwitchedEvent;
import io.beamline.events.stream.StreamEndedEvent;
import io.beamline.events.stream.StreamStartedEvent;
import io.beamline.events.stream.ViewerJoinedEvent;
import io.beamline.events.stream.ViewerLeftEvent;
import io.beamline.events.token.TokenKind;
import io.beamline.events.token.TokenUpdatedEvent;
import io.beamline.platform.inbox.IncomingEvent;
import io.beamline.platform.inbox.ProcessedEvents;
import io.beamline.platform.kafka.ConsumerLoop;
import io.beamline.platform.kafka.ConsumerSettings;
import io.beamline.platform.kafka.DeadLetters;
import io.beamline.syndication.config.SyndicationConfig;
import io.beamline.syndication.service.JobRunner;
import io.beamline.syndication.service.PartnerSessions;
import io.beamline.syndication.service.RestreamPlanner;
import io.beamline.syndication.service.StreamStates;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reads the stream lifecycle topics and {@code token-updated} in the {@code syndication-service}
 * group and turns them into restream jobs; partners' viewer sessions come from {@code
 * viewer-joined} and {@code viewer-left}. Partition assignment spreads the streams over instances:
 * the instance assigned a stream's partition runs its jobs ({@link JobRunner}). Each event is
 * applied once (inbox row in the effect's transaction); unreadable records go to {@code
 * <topic>.syndication-service.dlq}.
 *
 * <p>A raw consumer rather than messaging channels: the rebalance listener must hand partitions to
 * the job runner, and the range assignor gives one instance the same partition of every stream
 * topic (they share the partition count and the key).
 */
@ApplicationScoped
public class StreamEventsConsumer {

  public static final String SERVICE = "syndication-service";
  static final String CONSUMER = "syndication-service.stream-events";

  /** Pause before a new consumer after a failure. */
  private static final Duration PAUSE = Duration.ofSeconds(1);

  /** The topics read; the stream topics first (their partitions decide job ownership). */
  public static final List<String> TOPICS =
      List.of(
          Topics.STREAM_STARTED,
          Topics.FEED_STARTED,
          Topics.SOURCE_SWITCHED,
          Topics.STREAM_ENDED,
          Topics.VIEWER_JOINED,
          Topics.VIEWER_LEFT,
          Topics.TOKEN_UPDATED);

  private final StreamStates streams;
  private final PartnerSessions partners;
  private final RestreamPlanner planner;
  private final JobRunner runner;
  private final ProcessedEvents inbox;
  private final DeadLetters deadLetters;
  private final SyndicationConfig config;
  private final String bootstrapServers;
  private volatile ConsumerLoop loop;

  public StreamEventsConsumer(
      StreamStates streams,
      PartnerSessions partners,
      RestreamPlanner planner,
      JobRunner runner,
      ProcessedEvents inbox,
      DeadLetters deadLetters,
      SyndicationConfig config,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
    this.streams = streams;
    this.partners = partners;
    this.planner = planner;
    this.runner = runner;
    this.inbox = inbox;
    this.deadLetters = deadLetters;
    this.config = config;
    this.bootstrapServers = bootstrapServers;
  }

  void start(@Observes StartupEvent ignored) {
    loop = ConsumerLoop.start("restream-stream-events", this::properties, PAUSE, new Work());
  }

  void stop(@Observes ShutdownEvent ignored) {
    if (loop != null) {
      loop.stop(Duration.ofSeconds(10));
    }
  }

  /** Whether the consumer is polling (for readiness). */
  public boolean polling() {
    ConsumerLoop current = loop;
    return current != null && current.polling();
  }

  /** Subscribes with the rebalance listener, applies each round's records, then commits. */
  private final class Work implements ConsumerLoop.Work {
    @Override
    public boolean connected(KafkaConsumer<String, String> kafka) {
      // A new consumer (after a failure too) gets its assignment in a rebalance; closing the old
      // one revoked its partitions, but the pushes go on until the assignment says they moved.
      kafka.subscribe(TOPICS, new Ownership());
      return true;
    }

    @Override
    public boolean pollOnce(KafkaConsumer<String, String> kafka) {
      // Uncommitted records come again after a failure; the inbox skips what was applied.
      for (ConsumerRecord<String, String> record : kafka.poll(Duration.ofMillis(500))) {
        handle(record);
      }
      kafka.commitSync();
      return true;
    }

    @Override
    public void stopped() {
      try {
        // Shutting down: let go of the jobs so that the other instances claim them at once.
        runner.lost(List.copyOf(runner.ownedPartitions()));
      } catch (RuntimeException e) {
        Log.debugf("jobs not released at shutdown: %s", e.getMessage());
      }
    }
  }

  /** Hands the stream partitions this instance gets or loses to the job runner. */
  private final class Ownership implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      runner.revoking(streamPartitions(partitions));
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      runner.assigned(streamPartitions(partitions));
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      runner.lost(streamPartitions(partitions));
    }

    private List<Integer> streamPartitions(Collection<TopicPartition> partitions) {
      return partitions.stream()
          .filter(p -> p.topic().equals(Topics.STREAM_STARTED))
          .map(TopicPartition::partition)
          .toList();
    }
  }

  void handle(ConsumerRecord<String, String> record) {
    try {
      switch (record.topic()) {
        case Topics.STREAM_STARTED -> streamStarted(record);
        case Topics.FEED_STARTED -> feedStarted(record);
        case Topics.STREAM_ENDED -> streamEnded(record);
        case Topics.SOURCE_SWITCHED -> sourceSwitched(record);
        case Topics.TOKEN_UPDATED -> tokenUpdated(record);
        case Topics.VIEWER_JOINED -> viewerJoined(record);
        case Topics.VIEWER_LEFT -> viewerLeft(record);
        default -> {}
      }
    } catch (IllegalArgumentException e) {
      deadLetter(record, e);
    }
  }

  private void streamStarted(ConsumerRecord<String, String> record) {
    IncomingEvent<StreamStartedEvent> in = IncomingEvent.read(record, StreamStartedEvent.class);
    StreamStartedEvent e = requireStream(in.payload());
    // The token's targets are fetched before the transaction: no database lock is held while
    // token-service answers.
    RestreamPlanner.TokenTargets targets = planner.fetchTokenTargets(e.tokenId(), e.accountId());
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              if (first(record, in.eventId()) && streams.started(record.partition(), e)) {
                planner.apply(e.streamId(), targets);
              }
            });
    runner.reconcileSoon();
  }

  private void feedStarted(ConsumerRecord<String, String> record) {
    IncomingEvent<FeedStartedEvent> in = IncomingEvent.read(record, FeedStartedEvent.class);
    FeedStartedEvent e = requireStream(in.payload());
    Long token = streams.tokenOf(e.streamId()).orElse(e.tokenId());
    RestreamPlanner.TokenTargets targets =
        e.restream() ? planner.fetchTokenTargets(token, e.accountId()) : null;
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              if (first(record, in.eventId())
                  && streams.feedStarted(record.partition(), e)
                  && e.restream()) {
                planner.apply(e.streamId(), targets);
              }
            });
    runner.reconcileSoon();
  }

  private void streamEnded(ConsumerRecord<String, String> record) {
    IncomingEvent<StreamEndedEvent> in = IncomingEvent.read(record, StreamEndedEvent.class);
    StreamEndedEvent e = requireStream(in.payload());
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              if (first(record, in.eventId())) {
                streams.ended(record.partition(), e);
              }
            });
    runner.reconcileSoon();
  }

  private void sourceSwitched(ConsumerRecord<String, String> record) {
    IncomingEvent<SourceSwitchedEvent> in = IncomingEvent.read(record, SourceSwitchedEvent.class);
    SourceSwitchedEvent e = requireStream(in.payload());
    // Nothing to change here: stream-service drops the internal readers of the old feed, each
    // worker's ffmpeg exits and the worker asks for the new feed's pull URL. Logged for operators.
    Log.infof(
        "%s switched from feed %s to %s (%s); restream jobs follow",
        e.streamId(), e.fromFeedId(), e.toFeedId(), e.reason());
  }

  private void viewerJoined(ConsumerRecord<String, String> record) {
    ViewerJoinedEvent e =
        requireStream(IncomingEvent.read(record, ViewerJoinedEvent.class).payload());
    if (PartnerSessions.tracked(e.trackingId(), e.internalReader())) {
      if (e.viewerSessionId() == null) {
        throw new IllegalArgumentException("missing viewerSessionId");
      }
      // Idempotent by the session id (an upsert), so no inbox row per viewer event.
      partners.joined(e);
    }
  }

  private void viewerLeft(ConsumerRecord<String, String> record) {
    ViewerLeftEvent e = requireStream(IncomingEvent.read(record, ViewerLeftEvent.class).payload());
    if (PartnerSessions.tracked(e.trackingId(), e.internalReader())) {
      if (e.viewerSessionId() == null) {
        throw new IllegalArgumentException("missing viewerSessionId");
      }
      partners.left(e);
    }
  }

  private void tokenUpdated(ConsumerRecord<String, String> record) {
    IncomingEvent<TokenUpdatedEvent> in = IncomingEvent.read(record, TokenUpdatedEvent.class);
    TokenUpdatedEvent e = in.payload();
    if (e.eventId() == null || e.tokenKind() != TokenKind.PUBLISH_TOKEN) {
      return;
    }
    if (e.changedFields() == null || !e.changedFields().contains("restream")) {
      return;
    }
    List<String> live = streams.liveStreamsOfToken(e.tokenId(), e.accountId());
    RestreamPlanner.TokenTargets targets =
        live.isEmpty() ? null : planner.fetchTokenTargets(e.tokenId(), e.accountId());
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              if (first(record, in.eventId()) && targets != null) {
                live.forEach(streamId -> planner.apply(streamId, targets));
              }
            });
    Log.infof(
        "restream targets of token %d changed: %d live stream(s) synced", e.tokenId(), live.size());
    runner.reconcileSoon();
  }

  private boolean first(ConsumerRecord<String, String> record, UUID eventId) {
    return inbox.firstDelivery(CONSUMER, record.topic(), eventId);
  }

  private static <T extends io.beamline.events.StreamScoped> T requireStream(T event) {
    if (event.eventId() == null
        || event.accountId() == null
        || event.accountId().isBlank()
        || event.streamId() == null
        || event.streamName() == null
        || event.streamName().isBlank()) {
      throw new IllegalArgumentException("missing eventId, accountId, streamId or streamName");
    }
    return event;
  }

  private void deadLetter(ConsumerRecord<String, String> record, Exception cause) {
    // DeadLetters logs it, and waits for the broker: the offset past this record is committed right
    // after.
    deadLetters.send(record, cause);
  }

  private Properties properties() {
    Properties p =
        ConsumerSettings.of(bootstrapServers, config.jobs().groupId(), SERVICE + "-stream-events");
    // Range: an instance gets the same partition numbers of every stream topic, so all of one
    // stream's events and its jobs live on one instance.
    p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
    // A crashed instance's streams move to the others within this time.
    long session = config.jobs().sessionTimeout().toMillis();
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(session));
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Long.toString(Math.max(500, session / 5)));
    p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "30000");
    return p;
  }
}
