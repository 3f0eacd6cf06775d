package io.beamline.platform;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.events.CloudEventHeaders;
import io.beamline.platform.testapp.TickService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** With a retention of zero the relay deletes each outbox row once the broker acknowledged it. */
@QuarkusTest
@TestProfile(OutboxDeleteOnPublishTest.NoRetention.class)
class OutboxDeleteOnPublishTest {

  /** The relay keeps no audit copy. */
  public static class NoRetention implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("beamline.outbox.retention", "0s");
    }
  }

  @Inject TickService ticks;
  @Inject EntityManager entityManager;

  @Test
  void shouldDeleteEachRowOnceItsEventIsOnTheTopic() {
    String prefix = "no-audit-" + UUID.randomUUID() + "-";
    Set<UUID> committed = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      committed.add(ticks.record(prefix + i));
    }

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> count("select count(*) from received_tick where label like ?1", prefix) == 50);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> count("select count(*) from outbox_event where event_key like ?1", prefix) == 0);

    Set<UUID> onTopic = new HashSet<>();
    for (ConsumerRecord<String, String> record :
        BeamlineInfraResource.kafka().readTopic(TickService.TOPIC, Duration.ofSeconds(30))) {
      if (record.key() != null && record.key().startsWith(prefix)) {
        onTopic.add(
            UUID.fromString(
                new String(
                    record.headers().lastHeader(CloudEventHeaders.ID).value(),
                    StandardCharsets.UTF_8)));
      }
    }
    assertTrue(onTopic.containsAll(committed), "every deleted row's event is on the topic");
    assertEquals(
        50, count("select count(*) from received_tick where label like ?1", prefix), "effects");
  }

  private long count(String sql, String prefix) {
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                ((Number)
                        entityManager
                            .createNativeQuery(sql)
                            .setParameter(1, prefix + "%")
                            .getSingleResult())
                    .longValue());
  }
}
