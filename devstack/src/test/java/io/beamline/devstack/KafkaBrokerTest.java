package io.beamline.devstack;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerTest {

  private static final String TOPIC = "devstack-test";

  @TempDir Path dataDir;

  @Test
  void shouldKeepRecordsAndCommittedOffsetsWhenBrokerIsKilledAndRestarted() throws Exception {
    try (KafkaBroker broker =
        KafkaBroker.builder().dataDir(dataDir.resolve("kafka")).runDir(dataDir).build()) {
      broker.start();
      assertTrue(dataDir.resolve("kafka.pid").toFile().isFile(), "pid file written");

      broker.createTopics(Map.of(TOPIC, 3));
      broker.createTopics(Map.of(TOPIC, 3)); // idempotent
      broker.createTopics(Map.of(TOPIC, 4)); // grows, never shrinks
      broker.createTopics(Map.of(TOPIC, 2));
      assertEquals(4, partitionCount(broker));

      produce(broker, 0, 100);
      assertEquals(100, consume(broker, "group-a").size());

      broker.kill();
      assertFalse(broker.isRunning());
      assertFalse(dataDir.resolve("kafka.pid").toFile().exists(), "pid file removed");

      broker.start();
      assertEquals(4, partitionCount(broker), "topic survives the crash");
      assertEquals(100, consume(broker, "group-fresh").size(), "records survive the crash");

      produce(broker, 100, 20);
      List<String> resumed = consume(broker, "group-a");
      assertEquals(20, resumed.size(), "group-a resumes from its committed offsets");
      assertTrue(resumed.stream().allMatch(v -> Integer.parseInt(v) >= 100), resumed::toString);

      broker.stop();
      assertFalse(broker.isRunning());
    }
  }

  @Test
  void shouldNameThePortAndTheSettingWhenThePortIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      KafkaBroker broker =
          KafkaBroker.builder()
              .port(taken.getLocalPort())
              .portSettings("BEAMLINE_KAFKA_PORT", "BEAMLINE_KAFKA_CONTROLLER_PORT")
              .build();
      long started = System.nanoTime();
      PortInUseException e = assertThrows(PortInUseException.class, broker::start);
      assertEquals(
          "port "
              + taken.getLocalPort()
              + " (kafka) is already in use; set BEAMLINE_KAFKA_PORT to another port",
          e.getMessage());
      assertTrue(
          Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(2)) < 0);
      broker.close();
    }
  }

  private static int partitionCount(KafkaBroker broker) throws Exception {
    try (Admin admin = broker.admin()) {
      return admin
          .describeTopics(List.of(TOPIC))
          .allTopicNames()
          .get(10, TimeUnit.SECONDS)
          .get(TOPIC)
          .partitions()
          .size();
    }
  }

  private static void produce(KafkaBroker broker, int from, int count) throws Exception {
    Properties props = new Properties();
    props.putAll(broker.clientProperties());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
      for (int i = from; i < from + count; i++) {
        sends.add(producer.send(new ProducerRecord<>(TOPIC, "key-" + i, Integer.toString(i))));
      }
      for (var send : sends) {
        send.get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Reads everything the group has not consumed yet, commits, and returns the values. */
  private static List<String> consume(KafkaBroker broker, String group) {
    Properties props = new Properties();
    props.putAll(broker.clientProperties());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(TOPIC));
      // Wait for the assignment, then read until the group's lag is zero.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                if (consumer.assignment().isEmpty()) {
                  return false;
                }
                var ends = consumer.endOffsets(consumer.assignment());
                return ends.entrySet().stream()
                    .allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
              });
      consumer.commitSync();
    }
    return values;
  }
}
