package io.beamline.devstack;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The runtime files that {@code devstack-dist} copies into its {@code target/}: Kafka broker jars,
 * the broker's log4j2 configuration and the S3Proxy jar.
 *
 * @param root the {@code devstack-dist/target} directory
 */
public record DevstackDist(Path root) {

  /** System property naming the directory; the parent pom passes it to surefire and failsafe. */
  public static final String PROPERTY = "beamline.devstack.dist";

  /** Environment variable naming the directory. */
  public static final String ENV = "BEAMLINE_DEVSTACK_DIST";

  private static final String BUILD_HINT =
      "run ./mvnw package -pl devstack-dist (or ./beamline up, which builds it)";

  public DevstackDist {
    root = root.toAbsolutePath().normalize();
  }

  /**
   * Finds the directory from {@value #PROPERTY}, then {@value #ENV}, then by walking up from the
   * working directory to the checkout that has {@code devstack-dist/}; checks the files are there.
   */
  public static DevstackDist locate() {
    String configured = System.getProperty(PROPERTY);
    String source = "system property " + PROPERTY;
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(ENV);
      source = "environment variable " + ENV;
    }
    if (configured != null && !configured.isBlank()) {
      return at(Path.of(configured), source);
    }
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("devstack-dist/pom.xml"))) {
        return at(dir.resolve("devstack-dist/target"), "the checkout above " + start);
      }
    }
    throw new DevstackException(
        "cannot find devstack-dist/target: set -D"
            + PROPERTY
            + " or "
            + ENV
            + ", or run from inside the Beamline checkout ("
            + start
            + " is not)");
  }

  /** The directory at {@code root}, checked for completeness. */
  public static DevstackDist at(Path root) {
    return at(root, "the given path");
  }

  private static DevstackDist at(Path root, String source) {
    DevstackDist dist = new DevstackDist(root);
    List<String> missing = new ArrayList<>();
    if (!dist.hasKafkaJars()) {
      missing.add("kafka-lib/kafka_2.13-*.jar");
    }
    if (!Files.isRegularFile(dist.kafkaLog4jConfig())) {
      missing.add("kafka-config/log4j2.xml");
    }
    if (!Files.isRegularFile(dist.s3proxyJar())) {
      missing.add("s3proxy/s3proxy.jar");
    }
    if (!missing.isEmpty()) {
      throw new DevstackException(
          "the dev-stack runtime files are missing in "
              + dist.root()
              + " (from "
              + source
              + "): "
              + String.join(", ", missing)
              + "; "
              + BUILD_HINT);
    }
    return dist;
  }

  /** Directory holding the broker jars and their runtime dependencies. */
  public Path kafkaLib() {
    return root.resolve("kafka-lib");
  }

  /** A {@code -cp} value for the broker: the jar directory as a wildcard. */
  public String kafkaClasspath() {
    return kafkaLib() + File.separator + "*";
  }

  /** The broker's log4j2 configuration (console to stderr). */
  public Path kafkaLog4jConfig() {
    return root.resolve("kafka-config/log4j2.xml");
  }

  /** The S3Proxy jar with its dependencies. */
  public Path s3proxyJar() {
    return root.resolve("s3proxy/s3proxy.jar");
  }

  private boolean hasKafkaJars() {
    if (!Files.isDirectory(kafkaLib())) {
      return false;
    }
    try (Stream<Path> files = Files.list(kafkaLib())) {
      return files.anyMatch(p -> p.getFileName().toString().startsWith("kafka_2.13-"));
    } catch (IOException e) {
      return false;
    }
  }
}
