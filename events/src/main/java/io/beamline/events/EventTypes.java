package io.beamline.events;

/** Maps topics to CloudEvents {@code type} values ({@code io.beamline.<topic>}) and back. */
public final class EventTypes {

  /** Prefix of every Beamline CloudEvents type. */
  public static final String PREFIX = "io.beamline.";

  private EventTypes() {}

  /** CloudEvents type of a contract topic, e.g. {@code io.beamline.stream-started}. */
  public static String typeOf(String topic) {
    if (!Topics.ALL.contains(topic)) {
      throw new IllegalArgumentException("Unknown topic: " + topic);
    }
    return PREFIX + topic;
  }

  /** Topic of a Beamline CloudEvents type, e.g. {@code stream-started}. */
  public static String topicOf(String type) {
    if (type != null && type.startsWith(PREFIX)) {
      String topic = type.substring(PREFIX.length());
      if (Topics.ALL.contains(topic)) {
        return topic;
      }
    }
    throw new IllegalArgumentException("Unknown event type: " + type);
  }
}
