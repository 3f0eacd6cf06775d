package io.beamline.syndication.support;

import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.devstack.test.MediaStack;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Test resource: the real media plane (token-service and stream-service from their packaged jars,
 * an nginx-rtmp media node) and the configuration that points syndication-service at it: its
 * internal endpoints and its internal key file.
 */
public class MediaPlane implements QuarkusTestResourceLifecycleManager {

  @Override
  public Map<String, String> start() {
    // The stack runs on the test JVM's shared Kafka and PostgreSQL; start them if not yet.
    BeamlineInfraResource.kafka();
    MediaStack stack = MediaStack.start();
    return Map.of(
        "beamline.syndication.token-service.url", stack.tokenServiceUrl(),
        "beamline.syndication.stream-service.url", stack.streamServiceUrl(),
        "beamline.syndication.internal.key-file", stack.internalKeyFile().toString());
  }

  @Override
  public void stop() {
    // Shared by every test class of this JVM; MediaStack stops itself at JVM exit.
  }
}
