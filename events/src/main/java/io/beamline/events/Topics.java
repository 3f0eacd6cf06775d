package io.beamline.events;

import java.util.List;
import java.util.Objects;

/** Kafka topic names of the event contract: one topic per event type, owned by one producer. */
public final class Topics {

  public static final String TOKEN_CREATED = "token-created";
  public static final String TOKEN_UPDATED = "token-updated";
  public static final String TOKEN_REVOKED = "token-revoked";

  public static final String STREAM_STARTED = "stream-started";
  public static final String STREAM_ENDED = "stream-ended";
  public static final String FEED_STARTED = "feed-started";
  public static final String FEED_ENDED = "feed-ended";
  public static final String PUBLISHER_FAILED = "publisher-failed";
  public static final String SOURCE_SWITCHED = "source-switched";
  public static final String VIEWER_JOINED = "viewer-joined";
  public static final String VIEWER_LEFT = "viewer-left";
  public static final String STREAM_STATS = "stream-stats";

  public static final String RECORDING_STARTED = "recording-started";
  public static final String RECORDING_COMPLETED = "recording-completed";
  public static final String RECORDING_FAILED = "recording-failed";
  public static final String RECORDING_DELETED = "recording-deleted";

  public static final String RESTREAM_STARTED = "restream-started";
  public static final String RESTREAM_FAILED = "restream-failed";
  public static final String RESTREAM_STOPPED = "restream-stopped";

  /**
   * Partitions of every topic keyed by {@code streamId}. They must all be equal: a consumer of
   * several stream topics then gets one stream's events on the same instance.
   */
  public static final int STREAM_PARTITIONS = 6;

  /** Partitions of the topics keyed by {@code accountId} (token events: low volume). */
  public static final int ACCOUNT_PARTITIONS = 3;

  /** Topics keyed by {@code accountId}. */
  public static final List<String> ACCOUNT_TOPICS =
      List.of(TOKEN_CREATED, TOKEN_UPDATED, TOKEN_REVOKED);

  /**
   * Topics keyed by {@code streamId} ({@code accountId/streamName}), all with {@link
   * #STREAM_PARTITIONS}.
   */
  public static final List<String> STREAM_TOPICS =
      List.of(
          STREAM_STARTED,
          STREAM_ENDED,
          FEED_STARTED,
          FEED_ENDED,
          PUBLISHER_FAILED,
          SOURCE_SWITCHED,
          VIEWER_JOINED,
          VIEWER_LEFT,
          STREAM_STATS,
          RECORDING_STARTED,
          RECORDING_COMPLETED,
          RECORDING_FAILED,
          RECORDING_DELETED,
          RESTREAM_STARTED,
          RESTREAM_FAILED,
          RESTREAM_STOPPED);

  /** Every topic of the contract, token topics first, in the order of the architecture table. */
  public static final List<String> ALL =
      List.of(
          TOKEN_CREATED,
          TOKEN_UPDATED,
          TOKEN_REVOKED,
          STREAM_STARTED,
          STREAM_ENDED,
          FEED_STARTED,
          FEED_ENDED,
          PUBLISHER_FAILED,
          SOURCE_SWITCHED,
          VIEWER_JOINED,
          VIEWER_LEFT,
          STREAM_STATS,
          RECORDING_STARTED,
          RECORDING_COMPLETED,
          RECORDING_FAILED,
          RECORDING_DELETED,
          RESTREAM_STARTED,
          RESTREAM_FAILED,
          RESTREAM_STOPPED);

  private static final String DLQ_SUFFIX = ".dlq";

  private Topics() {}

  /**
   * Name of the dead-letter topic of one consumer's incoming channel: {@code
   * <topic>.<consumerService>.dlq}, e.g. {@code stream-started.recording-service.dlq}. Each
   * consumer gets its own so a poison message for one service never blocks or pollutes another.
   */
  public static String deadLetter(String consumerService, String topic) {
    requireName(consumerService, "consumerService");
    requireName(topic, "topic");
    return topic + "." + consumerService + DLQ_SUFFIX;
  }

  /** Partition count of a contract topic. */
  public static int partitions(String topic) {
    if (STREAM_TOPICS.contains(topic)) {
      return STREAM_PARTITIONS;
    }
    if (ACCOUNT_TOPICS.contains(topic)) {
      return ACCOUNT_PARTITIONS;
    }
    throw new IllegalArgumentException("Unknown topic: " + topic);
  }

  private static void requireName(String value, String what) {
    Objects.requireNonNull(value, what);
    if (value.isBlank() || value.contains(".")) {
      throw new IllegalArgumentException(what + " must be a non-blank name without dots: " + value);
    }
  }
}
