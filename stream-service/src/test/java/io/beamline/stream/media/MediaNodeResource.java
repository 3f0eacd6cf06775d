package io.beamline.stream.media;

import io.beamline.devstack.MediaNode;
import io.beamline.devstack.Ports;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real nginx-rtmp media node on ephemeral loopback ports, calling back this test's stream-service
 * (whose HTTP port is therefore chosen up front); stopped after the test class.
 */
public class MediaNodeResource implements QuarkusTestResourceLifecycleManager {

  private static MediaNode node;

  public static MediaNode node() {
    return node;
  }

  @Override
  public Map<String, String> start() {
    int servicePort = Ports.freePort();
    int trafficLogPort = Ports.freePort();
    node =
        MediaNode.builder()
            .callbackUrl("http://127.0.0.1:" + servicePort)
            .trafficLog("127.0.0.1:" + trafficLogPort)
            .logFile(Path.of("target/media-node.log"))
            .build();
    node.start();
    return Map.of(
        "quarkus.http.test-port", Integer.toString(servicePort),
        "beamline.stream.media-node.rtmp-url", node.rtmpUrl(),
        "beamline.stream.media-node.hls-url", node.httpUrl(),
        "beamline.stream.media-node.control-url", node.controlUrl(),
        "beamline.stream.media-node.callback-key", node.callbackKey(),
        "beamline.stream.media-node.traffic-log-port", Integer.toString(trafficLogPort),
        "beamline.stream.media-node.traffic-log-host", "127.0.0.1",
        "beamline.stream.hls-idle-timeout", "4s",
        "beamline.stream.stat-interval", "1s",
        "beamline.stream.stats-event-interval", "2s");
  }

  @Override
  public void stop() {
    if (node != null) {
      node.close();
      node = null;
    }
  }
}
