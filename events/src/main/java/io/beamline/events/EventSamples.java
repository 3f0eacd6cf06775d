package io.beamline.events;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Loads the golden JSON sample of a topic from the classpath, for producer and consumer tests. */
public final class EventSamples {

  /** Classpath folder of the samples, one {@code <topic>.json} each. */
  public static final String FOLDER = "io/beamline/events/samples/";

  private EventSamples() {}

  /** Classpath resource name of a topic's sample. */
  public static String resourceOf(String topic) {
    if (!Topics.ALL.contains(topic)) {
      throw new IllegalArgumentException("Unknown topic: " + topic);
    }
    return FOLDER + topic + ".json";
  }

  /** The golden JSON payload of a topic. */
  public static String load(String topic) {
    String resource = resourceOf(topic);
    try (InputStream in = EventSamples.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Sample missing from the classpath: " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + resource, e);
    }
  }
}
