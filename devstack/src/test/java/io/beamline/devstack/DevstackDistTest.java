package io.beamline.devstack;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevstackDistTest {

  @Test
  void shouldFindTheBuiltFilesFromTheSurefireProperty() {
    DevstackDist dist = DevstackDist.locate();
    assertTrue(Files.isDirectory(dist.kafkaLib()));
    assertTrue(Files.isRegularFile(dist.kafkaLog4jConfig()));
    assertTrue(Files.isRegularFile(dist.s3proxyJar()));
  }

  @Test
  void shouldSayHowToBuildWhenFilesAreMissing(@TempDir Path empty) {
    DevstackException e = assertThrows(DevstackException.class, () -> DevstackDist.at(empty));
    String message = e.getMessage();
    assertTrue(message.contains("kafka-lib/kafka_2.13-*.jar"), message);
    assertTrue(message.contains("s3proxy/s3proxy.jar"), message);
    assertTrue(message.contains("run ./mvnw package -pl devstack-dist"), message);
  }
}
