package io.beamline.token.authorize;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/** Writes the tiny test country database before the service starts and points it there. */
public class TestGeoIpResource implements QuarkusTestResourceLifecycleManager {

  @Override
  public Map<String, String> start() {
    try {
      Path file = TestMmdb.write(Path.of("target/test-data/test-country.mmdb"));
      return Map.of("beamline.geoip.database", file.toAbsolutePath().toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void stop() {}
}
