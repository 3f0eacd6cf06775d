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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * With a retention of zero the relay deletes each outbox row once the broker acknowledged it; and a
 * row committed late, below what the relay already published, is still found.
 */
@QuarkusTest
@TestProfile(OutboxDeleteOnPublishTest.NoRetention.class)
class OutboxDeleteOnPublishTest {

  /** The relay keeps no audit copy, and its partial scans start right at what it published. */
  public static class NoRetention implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "beamline.outbox.retention", "0s",
          "beamline.outbox.scan-slack", "0",
          "beamline.outbox.whole-scan-interval", "3s");
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

  @Test
  void shouldPublishARowCommittedLateBelowWhatWasAlreadyPublished() throws Exception {
    String prefix = "late-" + UUID.randomUUID() + "-";
    CountDownLatch written = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      // A transaction takes its outbox position first and commits after twenty others.
      Future<?> late =
          pool.submit(
              () ->
                  QuarkusTransaction.requiringNew()
                      .run(
                          () -> {
                            ticks.record(prefix + "late");
                            written.countDown();
                            try {
                              release.await(30, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                              Thread.currentThread().interrupt();
                            }
                          }));
      assertTrue(written.await(10, TimeUnit.SECONDS));
      for (int i = 0; i < 20; i++) {
        ticks.record(prefix + i);
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> count("select count(*) from received_tick where label like ?1", prefix) == 20);
      release.countDown();
      late.get(10, TimeUnit.SECONDS);

      // Partial scans start above it (slack 0); the relay's whole scan finds it.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  count("select count(*) from received_tick where label like ?1", prefix + "late")
                      == 1);
      assertEquals(
          21, count("select count(*) from received_tick where label like ?1", prefix), "effects");
    } finally {
      pool.shutdownNow();
    }
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
