package io.beamline.token;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

/**
 * Gives the test instance a free port up front, so token-service can verify API keys against its
 * own JWKS URL exactly as in production.
 */
public class SelfJwksResource implements QuarkusTestResourceLifecycleManager {

  @Override
  public Map<String, String> start() {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Map.of(
        "quarkus.http.test-port",
        Integer.toString(port),
        "mp.jwt.verify.publickey.location",
        "http://127.0.0.1:" + port + "/.well-known/jwks.json");
  }

  @Override
  public void stop() {}
}
