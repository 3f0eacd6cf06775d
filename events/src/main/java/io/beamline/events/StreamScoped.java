package io.beamline.events;

/** An event about one live stream, published with the stream id as Kafka key. */
public interface StreamScoped extends BeamlineEvent {

  /** {@code accountId/streamName}, the Kafka key of every stream topic. */
  String streamId();

  /** Stream name within the account. */
  String streamName();

  /** The stream id of a stream name in an account: {@code accountId/streamName}. */
  static String streamIdOf(String accountId, String streamName) {
    return accountId + "/" + streamName;
  }
}
