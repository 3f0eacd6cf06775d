package io.beamline.platform;

import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.platform.testapp.TickService;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Creates the test topics before the application starts, as the launcher does for real topics: a
 * consumer that subscribes to a missing topic only notices it at its next metadata refresh.
 */
public class TestTopicsResource implements QuarkusTestResourceLifecycleManager {

  static final String DLQ = "platform-test-ticks.platform-test.dlq";

  @Override
  public Map<String, String> start() {
    BeamlineInfraResource.kafka().createTopics(Map.of(TickService.TOPIC, 3, DLQ, 1));
    return Map.of();
  }

  @Override
  public void stop() {}
}
