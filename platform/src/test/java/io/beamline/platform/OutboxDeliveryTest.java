package io.beamline.platform;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.devstack.KafkaBroker;
import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.events.CloudEventHeaders;
import io.beamline.platform.testapp.TickService;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Proves the outbox and the inbox against a real broker: nothing lost, nothing doubled. */
@QuarkusTest
class OutboxDeliveryTest {

  private static final String DLQ = TestTopicsResource.DLQ;

  @Inject TickService ticks;
  @Inject EntityManager entityManager;

  @Test
  void shouldDeliverEveryCommittedChangeExactlyOnceWhenBrokerDiesMidBurst() {
    KafkaBroker kafka = BeamlineInfraResource.kafka();
    String prefix = "burst-" + UUID.randomUUID() + "-";
    Set<UUID> committed = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      if (i == 300) {
        Log.info("killing the Kafka broker in the middle of the burst");
        kafka.kill();
      }
      if (i == 700) {
        Log.info("starting the Kafka broker again");
        kafka.start();
      }
      committed.add(ticks.record(prefix + i));
    }

    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> receivedRows(prefix) >= 1000);

    // Exactly once: the effect happened 1,000 times, once per committed change.
    assertEquals(1000, receivedRows(prefix), "effect rows");
    assertEquals(committed, receivedIds(prefix), "every committed change arrived");
    assertEquals(0, unpublished(), "the outbox drained");

    // On the wire, every committed change is there (redelivered copies are allowed there: the
    // inbox is what makes the effect exact).
    Set<UUID> onTopic = eventIdsOnTopic(TickService.TOPIC, prefix);
    assertTrue(onTopic.containsAll(committed), "every committed event is on the topic");
  }

  @Test
  void shouldEmitNothingWhenTransactionRollsBack() {
    String label = "rolled-back-" + UUID.randomUUID();
    assertThrows(IllegalStateException.class, () -> ticks.recordThenFail(label));
    // A change committed after the rolled-back one is the witness that the consumer had time.
    String witness = "after-rollback-" + UUID.randomUUID();
    ticks.record(witness);

    await().atMost(Duration.ofSeconds(30)).until(() -> receivedRows(witness) == 1);
    assertEquals(0, receivedRows(label), "no effect of the rolled-back change");
    assertEquals(0, outboxRows(label), "no outbox row of the rolled-back change");
    assertEquals(0, tickRows(label), "no state of the rolled-back change");
    assertTrue(eventIdsOnTopic(TickService.TOPIC, label).isEmpty(), "nothing on the topic");
  }

  @Test
  void shouldDeadLetterUnreadableEventAndKeepConsuming() {
    String badKey = "poison-" + UUID.randomUUID();
    try (KafkaProducer<String, String> producer = producer()) {
      ProducerRecord<String, String> poison =
          new ProducerRecord<>(TickService.TOPIC, badKey, "{this is not json");
      poison.headers().add(CloudEventHeaders.ID, bytes(UUID.randomUUID().toString()));
      poison.headers().add(CloudEventHeaders.TYPE, bytes("io.beamline.platform-test-ticks"));
      poison.headers().add(CloudEventHeaders.SOURCE, bytes("/test"));
      poison.headers().add(CloudEventHeaders.SPECVERSION, bytes("1.0"));
      poison.headers().add(CloudEventHeaders.TIME, bytes(Instant.now().toString()));
      producer.send(poison);
      producer.flush();
    }
    String after = "after-poison-" + UUID.randomUUID();
    ticks.record(after);

    await().atMost(Duration.ofSeconds(30)).until(() -> receivedRows(after) == 1);
    await().atMost(Duration.ofSeconds(30)).until(() -> keysOnTopic(DLQ).contains(badKey));
  }

  private long receivedRows(String labelPrefix) {
    return count("select count(*) from received_tick where label like ?1", labelPrefix + "%");
  }

  private long tickRows(String labelPrefix) {
    return count("select count(*) from tick where label like ?1", labelPrefix + "%");
  }

  private long outboxRows(String labelPrefix) {
    return count("select count(*) from outbox_event where event_key like ?1", labelPrefix + "%");
  }

  private long unpublished() {
    return count("select count(*) from outbox_event where published_at is null and ?1 = ?1", "x");
  }

  @SuppressWarnings("unchecked")
  private Set<UUID> receivedIds(String labelPrefix) {
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                new HashSet<>(
                    (List<UUID>)
                        entityManager
                            .createNativeQuery(
                                "select event_id from received_tick where label like ?1")
                            .setParameter(1, labelPrefix + "%")
                            .getResultList()));
  }

  private long count(String sql, String parameter) {
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                ((Number)
                        entityManager
                            .createNativeQuery(sql)
                            .setParameter(1, parameter)
                            .getSingleResult())
                    .longValue());
  }

  private static Set<UUID> eventIdsOnTopic(String topic, String keyPrefix) {
    Set<UUID> ids = new HashSet<>();
    for (ConsumerRecord<String, String> record : readAll(topic)) {
      if (record.key() != null && record.key().startsWith(keyPrefix)) {
        ids.add(
            UUID.fromString(
                new String(
                    record.headers().lastHeader(CloudEventHeaders.ID).value(),
                    StandardCharsets.UTF_8)));
      }
    }
    return ids;
  }

  private static Set<String> keysOnTopic(String topic) {
    Set<String> keys = new HashSet<>();
    readAll(topic).forEach(r -> keys.add(r.key()));
    return keys;
  }

  private static List<ConsumerRecord<String, String>> readAll(String topic) {
    return BeamlineInfraResource.kafka().readTopic(topic, Duration.ofSeconds(30));
  }

  private static KafkaProducer<String, String> producer() {
    Properties p = new Properties();
    p.put(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BeamlineInfraResource.kafka().bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return new KafkaProducer<>(p);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
