package io.beamline.syndication;

import static org.awaitility.Awaitility.await;

import io.beamline.events.Topics;
import io.beamline.syndication.support.EventFeed;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Unreadable stream events go to the consumer's own dead-letter topic. */
@QuarkusTest
class StreamEventsDeadLetterTest {

  @Test
  void shouldDeadLetterUnreadableStreamEvent() {
    String key = "acc-dlq/" + UUID.randomUUID();
    EventFeed.sendPoison(Topics.STREAM_STARTED, key);
    String dlq = Topics.deadLetter("syndication-service", Topics.STREAM_STARTED);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> EventFeed.readRaw(dlq).contains("{not json"));
  }
}
