package io.beamline.events;

import io.beamline.events.recording.RecordingCompletedEvent;
import io.beamline.events.recording.RecordingDeletedEvent;
import io.beamline.events.recording.RecordingFailedEvent;
import io.beamline.events.recording.RecordingStartedEvent;
import io.beamline.events.restream.RestreamFailedEvent;
import io.beamline.events.restream.RestreamStartedEvent;
import io.beamline.events.restream.RestreamStoppedEvent;
import io.beamline.events.stream.FeedEndedEvent;
import io.beamline.events.stream.FeedStartedEvent;
import io.beamline.events.stream.PublisherFailedEvent;
import io.beamline.events.stream.SourceSwitchedEvent;
import io.beamline.events.stream.StreamEndedEvent;
import io.beamline.events.stream.StreamStartedEvent;
import io.beamline.events.stream.StreamStatsEvent;
import io.beamline.events.stream.ViewerJoinedEvent;
import io.beamline.events.stream.ViewerLeftEvent;
import io.beamline.events.token.TokenCreatedEvent;
import io.beamline.events.token.TokenRevokedEvent;
import io.beamline.events.token.TokenUpdatedEvent;
import java.util.List;
import java.util.Objects;

/** The contract in one table: per topic its type, payload record, producer, key and sample. */
public final class EventCatalog {

  public static final String TOKEN_SERVICE = "token-service";
  public static final String STREAM_SERVICE = "stream-service";
  public static final String RECORDING_SERVICE = "recording-service";
  public static final String SYNDICATION_SERVICE = "syndication-service";

  /** Key description of the topics keyed by stream. */
  public static final String STREAM_KEY = "streamId = accountId/streamName";

  /** Key description of the topics keyed by account. */
  public static final String ACCOUNT_KEY = "accountId";

  /**
   * One topic of the contract.
   *
   * @param topic Kafka topic, equal to the event type's short name
   * @param type CloudEvents {@code ce_type}
   * @param payloadType record the JSON payload maps to
   * @param producer the one service that publishes it
   * @param key what the Kafka key (and {@code ce_subject}) holds
   * @param partitions partition count
   * @param sample classpath resource of the golden JSON sample
   */
  public record Entry(
      String topic,
      String type,
      Class<? extends BeamlineEvent> payloadType,
      String producer,
      String key,
      int partitions,
      String sample) {

    /** The {@code ce_source} of this topic's events. */
    public String source() {
      return CloudEventHeaders.sourceOf(producer);
    }

    /** Whether the topic is keyed by stream id (else by account id). */
    public boolean keyedByStream() {
      return STREAM_KEY.equals(key);
    }

    /** The Kafka key of one of this topic's events. */
    public String keyOf(BeamlineEvent event) {
      if (!payloadType.isInstance(event)) {
        throw new IllegalArgumentException(
            "Not a " + payloadType.getSimpleName() + ": " + event.getClass().getName());
      }
      return keyedByStream() ? ((StreamScoped) event).streamId() : event.accountId();
    }
  }

  /** Every entry, in the order of {@link Topics#ALL}. */
  public static final List<Entry> ALL =
      List.of(
          entry(Topics.TOKEN_CREATED, TokenCreatedEvent.class, TOKEN_SERVICE),
          entry(Topics.TOKEN_UPDATED, TokenUpdatedEvent.class, TOKEN_SERVICE),
          entry(Topics.TOKEN_REVOKED, TokenRevokedEvent.class, TOKEN_SERVICE),
          entry(Topics.STREAM_STARTED, StreamStartedEvent.class, STREAM_SERVICE),
          entry(Topics.STREAM_ENDED, StreamEndedEvent.class, STREAM_SERVICE),
          entry(Topics.FEED_STARTED, FeedStartedEvent.class, STREAM_SERVICE),
          entry(Topics.FEED_ENDED, FeedEndedEvent.class, STREAM_SERVICE),
          entry(Topics.PUBLISHER_FAILED, PublisherFailedEvent.class, STREAM_SERVICE),
          entry(Topics.SOURCE_SWITCHED, SourceSwitchedEvent.class, STREAM_SERVICE),
          entry(Topics.VIEWER_JOINED, ViewerJoinedEvent.class, STREAM_SERVICE),
          entry(Topics.VIEWER_LEFT, ViewerLeftEvent.class, STREAM_SERVICE),
          entry(Topics.STREAM_STATS, StreamStatsEvent.class, STREAM_SERVICE),
          entry(Topics.RECORDING_STARTED, RecordingStartedEvent.class, RECORDING_SERVICE),
          entry(Topics.RECORDING_COMPLETED, RecordingCompletedEvent.class, RECORDING_SERVICE),
          entry(Topics.RECORDING_FAILED, RecordingFailedEvent.class, RECORDING_SERVICE),
          entry(Topics.RECORDING_DELETED, RecordingDeletedEvent.class, RECORDING_SERVICE),
          entry(Topics.RESTREAM_STARTED, RestreamStartedEvent.class, SYNDICATION_SERVICE),
          entry(Topics.RESTREAM_FAILED, RestreamFailedEvent.class, SYNDICATION_SERVICE),
          entry(Topics.RESTREAM_STOPPED, RestreamStoppedEvent.class, SYNDICATION_SERVICE));

  private EventCatalog() {}

  /** The entry of a topic. */
  public static Entry forTopic(String topic) {
    for (Entry entry : ALL) {
      if (entry.topic().equals(topic)) {
        return entry;
      }
    }
    throw new IllegalArgumentException("Unknown topic: " + topic);
  }

  /** The entry of a CloudEvents type. */
  public static Entry forType(String type) {
    return forTopic(EventTypes.topicOf(type));
  }

  /** The entry whose payload record is the given class. */
  public static Entry forPayloadType(Class<?> payloadType) {
    for (Entry entry : ALL) {
      if (entry.payloadType().equals(payloadType)) {
        return entry;
      }
    }
    throw new IllegalArgumentException("Not an event of the contract: " + payloadType.getName());
  }

  /** The entry an event is published under. */
  public static Entry forEvent(BeamlineEvent event) {
    return forPayloadType(Objects.requireNonNull(event, "event").getClass());
  }

  private static Entry entry(
      String topic, Class<? extends BeamlineEvent> payloadType, String producer) {
    boolean byStream = Topics.STREAM_TOPICS.contains(topic);
    return new Entry(
        topic,
        EventTypes.typeOf(topic),
        payloadType,
        producer,
        byStream ? STREAM_KEY : ACCOUNT_KEY,
        Topics.partitions(topic),
        EventSamples.resourceOf(topic));
  }
}
