package io.beamline.devstack.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.events.Topics;
import io.minio.BucketExistsArgs;
import io.minio.MinioClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

class BeamlineInfraResourceTest {

  @Test
  void shouldShareOneSetOfInfrastructureAndReturnTheConfigOfEachResource() throws Exception {
    BeamlineInfraResource tokens = new BeamlineInfraResource();
    tokens.init(Map.of("database", "token"));
    Map<String, String> config = tokens.start();

    assertEquals(
        Set.of(
            "quarkus.datasource.jdbc.url",
            "quarkus.datasource.username",
            "quarkus.datasource.password",
            "kafka.bootstrap.servers",
            "beamline.s3.endpoint",
            "beamline.s3.access-key",
            "beamline.s3.secret-key",
            "beamline.s3.bucket"),
        config.keySet());
    assertEquals(
        BeamlineInfraResource.kafka().bootstrapServers(), config.get("kafka.bootstrap.servers"));
    assertEquals("recordings", config.get("beamline.s3.bucket"));
    assertTrue(config.get("quarkus.datasource.jdbc.url").endsWith("/token"));

    try (Connection c =
            DriverManager.getConnection(
                config.get("quarkus.datasource.jdbc.url"),
                config.get("quarkus.datasource.username"),
                config.get("quarkus.datasource.password"));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select current_database()")) {
      rs.next();
      assertEquals("token", rs.getString(1));
    }
    try (MinioClient client = BeamlineInfraResource.s3().newClient()) {
      assertTrue(client.bucketExists(BucketExistsArgs.builder().bucket("recordings").build()));
    }
    try (Admin admin = BeamlineInfraResource.kafka().admin()) {
      Set<String> topics = admin.listTopics().names().get(10, TimeUnit.SECONDS);
      assertTrue(topics.containsAll(Topics.ALL), topics::toString);
    }

    // A test that crashed the broker on purpose leaves it to the next resource start.
    BeamlineInfraResource other = new BeamlineInfraResource();
    other.init(Map.of("database", "stream", "bucket", "other"));
    BeamlineInfraResource.kafka().kill();
    Map<String, String> second = other.start();
    assertTrue(BeamlineInfraResource.kafka().isRunning(), "killed broker started again");
    assertEquals(config.get("kafka.bootstrap.servers"), second.get("kafka.bootstrap.servers"));
    assertTrue(second.get("quarkus.datasource.jdbc.url").endsWith("/stream"));
    assertEquals("other", second.get("beamline.s3.bucket"));
    other.stop();
    tokens.stop();
  }
}
