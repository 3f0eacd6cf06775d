package io.beamline.platform;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.events.Topics;
import io.beamline.platform.kafka.ConsumerLoop;
import io.beamline.platform.kafka.ConsumerSettings;
import io.beamline.platform.kafka.DeadLetters;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The shared consumer loop against a real broker: failures replay, stop stops, dead letters land.
 */
@QuarkusTest
class ConsumerLoopTest {

  private static final Duration RETRY = Duration.ofMillis(200);

  @Inject DeadLetters deadLetters;

  @Test
  void shouldReplayWhatWasNotCommittedWhenARoundFails() {
    String topic = newTopic();
    List<String> keys = produce(topic, 20);
    List<String> applied = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger connections = new AtomicInteger();
    AtomicBoolean failed = new AtomicBoolean();
    ConsumerLoop loop =
        ConsumerLoop.start(
            "loop-test",
            () -> ConsumerSettings.of(bootstrap(), "loop-test-" + UUID.randomUUID(), "loop-test"),
            RETRY,
            new ConsumerLoop.Work() {
              @Override
              public boolean connected(KafkaConsumer<String, String> kafka) {
                connections.incrementAndGet();
                kafka.subscribe(List.of(topic));
                return true;
              }

              @Override
              public boolean pollOnce(KafkaConsumer<String, String> kafka) {
                for (ConsumerRecord<String, String> record : kafka.poll(Duration.ofMillis(100))) {
                  applied.add(record.key());
                  if (record.key().equals("k10") && failed.compareAndSet(false, true)) {
                    throw new IllegalStateException("failing once at k10");
                  }
                }
                kafka.commitSync();
                return true;
              }
            });
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> new HashSet<>(applied).containsAll(keys) && loop.polling());
      assertTrue(failed.get());
      assertEquals(2, connections.get(), "a failed round rebuilds the consumer once");
      assertEquals(
          2, Collections.frequency(applied, "k10"), "the record of the failed round comes again");
    } finally {
      loop.stop(Duration.ofSeconds(10));
    }
  }

  @Test
  void shouldRetryAfterAPauseUntilItCanStartAndStopWhenAsked() {
    String topic = newTopic();
    AtomicInteger attempts = new AtomicInteger();
    AtomicBoolean stopped = new AtomicBoolean();
    ConsumerLoop loop =
        ConsumerLoop.start(
            "loop-test-not-ready",
            () -> ConsumerSettings.of(bootstrap(), null, "loop-test-not-ready"),
            RETRY,
            new ConsumerLoop.Work() {
              @Override
              public boolean connected(KafkaConsumer<String, String> kafka) {
                if (attempts.incrementAndGet() < 3) {
                  return false;
                }
                // An empty partition: the poll below blocks for its whole timeout.
                kafka.assign(List.of(new TopicPartition(topic, 0)));
                return true;
              }

              @Override
              public boolean pollOnce(KafkaConsumer<String, String> kafka) {
                kafka.poll(Duration.ofSeconds(30));
                return true;
              }

              @Override
              public void stopped() {
                stopped.set(true);
              }
            });
    await().atMost(Duration.ofSeconds(30)).until(loop::polling);
    assertEquals(3, attempts.get());

    long start = System.nanoTime();
    loop.stop(Duration.ofSeconds(10));
    assertTrue(
        Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(5)) < 0,
        "stop wakes a poll that would block for 30 s");
    assertTrue(stopped.get());
    assertFalse(loop.polling());
    assertFalse(loop.running());
  }

  @Test
  void shouldSendUnreadableRecordsToTheServicesDeadLetterTopicWithTheReason() {
    String topic = newTopic();
    String deadLetterTopic = Topics.deadLetter("platform-test", topic);
    BeamlineInfraResource.kafka().createTopics(Map.of(deadLetterTopic, 1));
    ConsumerRecord<String, String> record = new ConsumerRecord<>(topic, 0, 42L, "bad-key", "{oops");
    record.headers().add("ce_id", "abc".getBytes(StandardCharsets.UTF_8));

    deadLetters.send(record, new IllegalArgumentException("not JSON"));

    try (KafkaConsumer<String, String> reader =
        new KafkaConsumer<>(
            ConsumerSettings.of(bootstrap(), "dlq-reader-" + UUID.randomUUID(), "dlq-reader"))) {
      reader.subscribe(List.of(deadLetterTopic));
      List<ConsumerRecord<String, String>> dead = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                ConsumerRecords<String, String> polled = reader.poll(Duration.ofMillis(200));
                polled.forEach(dead::add);
                return !dead.isEmpty();
              });
      ConsumerRecord<String, String> got = dead.get(0);
      assertEquals("bad-key", got.key());
      assertEquals("{oops", got.value());
      assertEquals("abc", header(got, "ce_id"));
      assertEquals("not JSON", header(got, DeadLetters.REASON_HEADER));
    }
  }

  private static String header(ConsumerRecord<String, String> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static String newTopic() {
    String topic = "loop-test-" + UUID.randomUUID();
    BeamlineInfraResource.kafka().createTopics(Map.of(topic, 2));
    return topic;
  }

  private static List<String> produce(String topic, int count) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    List<String> keys = new ArrayList<>();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < count; i++) {
        keys.add("k" + i);
        producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
      }
      producer.flush();
    }
    return keys;
  }

  private static String bootstrap() {
    return BeamlineInfraResource.kafka().bootstrapServers();
  }
}
