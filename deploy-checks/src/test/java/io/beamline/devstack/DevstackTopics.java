package io.beamline.devstack;

import java.util.Map;

/**
 * Reads the dev stack's topic plan, where each service registers the topics it consumes, so the
 * deployment checks follow it without a copy (same package: the plan is package-private).
 */
public final class DevstackTopics {

  private DevstackTopics() {}

  /**
   * Every topic {@code ./beamline up} creates, with its partitions, dead-letter topics included.
   */
  public static Map<String, Integer> plan() {
    return Map.copyOf(Launcher.topicPlan());
  }
}
