package io.beamline.recording;

import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.devstack.test.MediaStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * The real media plane (token-service, stream-service, nginx-rtmp) for this module's tests, and the
 * recording workers pointed at its egress endpoint with its internal key.
 */
public class MediaStackResource implements QuarkusTestResourceLifecycleManager {

  /** Attaches the resource to every test of the module (one Quarkus boot for all of them). */
  @QuarkusTestResource(MediaStackResource.class)
  public static class Registration {}

  @Override
  public Map<String, String> start() {
    // The stack needs the shared Kafka and PostgreSQL, whichever resource starts first.
    BeamlineInfraResource.kafka();
    MediaStack stack = MediaStack.start();
    return Map.of(
        "beamline.recording.egress.url", stack.streamServiceUrl(),
        "beamline.recording.egress.internal-key-file", stack.internalKeyFile().toString());
  }

  @Override
  public void stop() {
    // One stack per test JVM, stopped at JVM exit.
  }
}
