package io.beamline.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.devstack.KafkaBroker;
import io.beamline.devstack.Ports;
import io.beamline.devstack.Postgres;
import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.devstack.test.ServiceProcess;
import io.beamline.events.CloudEventAttributes;
import io.beamline.events.EventJson;
import io.beamline.events.Topics;
import io.beamline.events.stream.Protocol;
import io.beamline.events.stream.ViewerJoinedEvent;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Kills a consuming service with SIGKILL in the middle of a stream of events and starts it again:
 * every event must take effect exactly once.
 */
class ConsumerRestartIT {

  /** The JVM options this test has always run its instances with (full JIT). */
  private static final List<String> FULL_JIT = List.of("-Xmx256m");

  private static final int EVENTS = 2000;
  private static final int STREAMS = 20;
  private static final ObjectMapper JSON = EventJson.newObjectMapper();

  @Test
  void shouldApplyEachEventExactlyOnceWhenConsumerIsKilledMidStream() throws Exception {
    KafkaBroker kafka = BeamlineInfraResource.kafka();
    Postgres postgres = BeamlineInfraResource.postgres();
    String database = "probe_" + UUID.randomUUID().toString().substring(0, 8);
    postgres.createDatabaseIfMissing(database);
    kafka.createTopics(Map.of("viewer-joined.event-probe.dlq", 1));

    Map<String, String> env = new HashMap<>();
    env.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl(database));
    env.put("QUARKUS_DATASOURCE_USERNAME", postgres.user());
    env.put("QUARKUS_DATASOURCE_PASSWORD", postgres.password());
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    // A fresh consumer group per run, so earlier runs' events on the shared topic do not count.
    env.put("MP_MESSAGING_INCOMING_VIEWER_JOINED_GROUP_ID", "event-probe-" + database);
    Path jar =
        Path.of(System.getProperty("beamline.probe.jar", "target/quarkus-app/quarkus-run.jar"));
    int port = Ports.freePort();
    Path log = Path.of("target", "system-tests", database + ".log");
    String runTag = database;

    try (ServiceProcess first =
        new ServiceProcess(jar, port, env, log).jvmOptions(FULL_JIT).start()) {
      first.awaitReady(Duration.ofSeconds(90));
      Map<String, Long> expected = new HashMap<>();
      CompletableFuture<Void> publishing =
          CompletableFuture.runAsync(() -> publish(kafka, runTag, expected));

      // Crash the consumer while the stream is still flowing.
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> appliedRows(postgres, database) >= EVENTS / 5);
      first.kill();
      long atKill = appliedRows(postgres, database);
      publishing.get();
      assertTrue(atKill < EVENTS, "the consumer was killed mid-stream (" + atKill + " applied)");

      try (ServiceProcess second =
          new ServiceProcess(jar, port, env, log).jvmOptions(FULL_JIT).start()) {
        second.awaitReady(Duration.ofSeconds(90));
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(250))
            .until(() -> distinctApplied(postgres, database) >= EVENTS);
        // Only count once the group has committed past every record: then each redelivered
        // duplicate has been through the consumer and had its chance to apply twice.
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> groupCaughtUp(kafka, "event-probe-" + database));

        assertEquals(EVENTS, appliedRows(postgres, database), "each event applied exactly once");
        assertEquals(EVENTS, distinctApplied(postgres, database), "no event lost");
        assertEquals(expected, tallies(postgres, database), "per-stream totals");
        System.err.printf(
            "[consumer-restart] killed after %d of %d events; after restart %d applied once each,"
                + " %s redelivered duplicates skipped by the inbox%n",
            atKill, EVENTS, EVENTS, second.metric("beamline_inbox_duplicates_total"));
      }
    }
  }

  /** Publishes the events as stream-service does: CloudEvents headers, keyed by stream id. */
  private static void publish(KafkaBroker kafka, String runTag, Map<String, Long> expected) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < EVENTS; i++) {
        String streamName = runTag + "-stream-" + (i % STREAMS);
        String streamId = "acct-system/" + streamName;
        ViewerJoinedEvent event =
            new ViewerJoinedEvent(
                UUID.randomUUID(),
                "acct-system",
                Instant.now(),
                streamId,
                streamName,
                i / STREAMS + 1,
                "local",
                "vs-" + i,
                null,
                null,
                "DE",
                Protocol.HLS,
                "node-1",
                false);
        ProducerRecord<String, String> record =
            new ProducerRecord<>(Topics.VIEWER_JOINED, streamId, JSON.writeValueAsString(event));
        CloudEventAttributes.of(event).toHeaders().forEach((k, v) -> record.headers().add(k, v));
        producer.send(record);
        expected.merge(streamId, 1L, Long::sum);
        if (i % 50 == 0) {
          // Spread the stream over a few seconds so the crash lands in the middle of it.
          producer.flush();
          java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
      }
      producer.flush();
    } catch (Exception e) {
      throw new IllegalStateException("publishing failed", e);
    }
  }

  /** Whether the consumer group's committed offsets reached the end of every partition. */
  private static boolean groupCaughtUp(KafkaBroker kafka, String groupId) throws Exception {
    try (Admin admin = kafka.admin()) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin
          .describeTopics(List.of(Topics.VIEWER_JOINED))
          .allTopicNames()
          .get()
          .get(Topics.VIEWER_JOINED)
          .partitions()
          .forEach(
              p ->
                  latest.put(
                      new TopicPartition(Topics.VIEWER_JOINED, p.partition()),
                      OffsetSpec.latest()));
      var ends = admin.listOffsets(latest).all().get();
      return ends.entrySet().stream()
          .allMatch(
              e -> {
                OffsetAndMetadata offset = committed.get(e.getKey());
                long end = e.getValue().offset();
                return end == 0 || (offset != null && offset.offset() >= end);
              });
    }
  }

  private static long appliedRows(Postgres postgres, String database) throws SQLException {
    return single(postgres, database, "select count(*) from applied_viewer_event");
  }

  private static long distinctApplied(Postgres postgres, String database) throws SQLException {
    return single(postgres, database, "select count(distinct event_id) from applied_viewer_event");
  }

  private static Map<String, Long> tallies(Postgres postgres, String database) throws SQLException {
    Map<String, Long> tallies = new HashMap<>();
    try (Connection c = postgres.connect(database);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("select stream_id, viewers from viewer_tally")) {
      while (r.next()) {
        tallies.put(r.getString(1), r.getLong(2));
      }
    }
    return tallies;
  }

  private static long single(Postgres postgres, String database, String sql) throws SQLException {
    try (Connection c = postgres.connect(database);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    } catch (SQLException e) {
      // Before Flyway created the tables the answer is simply "nothing applied yet".
      if ("42P01".equals(e.getSQLState())) {
        return 0;
      }
      throw e;
    }
  }
}
