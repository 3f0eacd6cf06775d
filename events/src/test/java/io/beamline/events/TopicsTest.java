package io.beamline.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void shouldListEachTopicOnceInKebabCase() {
    assertEquals(19, Topics.ALL.size());
    assertEquals(Topics.ALL.size(), Set.copyOf(Topics.ALL).size());
    Topics.ALL.forEach(t -> assertTrue(t.matches("[a-z]+(-[a-z]+)+"), t));
  }

  @Test
  void shouldSplitTopicsIntoStreamKeyedAndAccountKeyed() {
    Set<String> union = new HashSet<>(Topics.STREAM_TOPICS);
    union.addAll(Topics.ACCOUNT_TOPICS);
    assertEquals(Set.copyOf(Topics.ALL), union);
    assertEquals(Topics.ALL.size(), Topics.STREAM_TOPICS.size() + Topics.ACCOUNT_TOPICS.size());
    assertEquals(List.of("token-created", "token-updated", "token-revoked"), Topics.ACCOUNT_TOPICS);
    Topics.STREAM_TOPICS.forEach(t -> assertEquals(6, Topics.partitions(t), t));
    assertThrows(IllegalArgumentException.class, () -> Topics.partitions("nope"));
  }

  @Test
  void shouldNameDeadLetterTopicPerConsumer() {
    assertEquals(
        "stream-started.recording-service.dlq",
        Topics.deadLetter("recording-service", Topics.STREAM_STARTED));
    assertThrows(IllegalArgumentException.class, () -> Topics.deadLetter(" ", "stream-started"));
    assertThrows(IllegalArgumentException.class, () -> Topics.deadLetter("a.b", "stream-started"));
    assertThrows(NullPointerException.class, () -> Topics.deadLetter("analytics", null));
  }

  @Test
  void shouldMapTopicsToCloudEventTypesAndBack() {
    assertEquals("io.beamline.stream-started", EventTypes.typeOf(Topics.STREAM_STARTED));
    Topics.ALL.forEach(t -> assertEquals(t, EventTypes.topicOf(EventTypes.typeOf(t))));
    assertThrows(IllegalArgumentException.class, () -> EventTypes.typeOf("stream-paused"));
    assertThrows(IllegalArgumentException.class, () -> EventTypes.topicOf("stream-started"));
    assertThrows(IllegalArgumentException.class, () -> EventTypes.topicOf("io.beamline.nope"));
    assertThrows(IllegalArgumentException.class, () -> EventTypes.topicOf(null));
  }
}
