package io.beamline.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.devstack.DevstackTopics;
import io.beamline.events.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The Kafka topics of the manifests and of docker-compose.yml are the event contract's topics (with
 * its partitions), plus a dead-letter topic for every consumer the dev stack registers.
 */
class TopicContractTest {

  static final List<String> KUSTOMIZATIONS = Manifests.KUSTOMIZATIONS;

  record TopicSpec(int partitions, long retentionMs, String cleanupPolicy) {}

  @ParameterizedTest
  @FieldSource("KUSTOMIZATIONS")
  void kafkaTopicsFollowTheContract(String kustomization) throws IOException {
    List<String> violations = violations(kafkaTopics(kustomization));

    assertTrue(violations.isEmpty(), () -> kustomization + ":\n" + String.join("\n", violations));
  }

  @Test
  void composeCreatesTheSameTopicsAsKubernetes() throws IOException {
    Map<String, TopicSpec> compose = composeTopics();

    assertEquals(new TreeMap<>(kafkaTopics("k8s/base")), new TreeMap<>(compose));
    assertEquals(Topics.ALL, compose.keySet().stream().filter(Topics.ALL::contains).toList());
  }

  @Test
  void brokenTopicListsAreRejected() throws IOException {
    assertRejected(t -> t.remove(Topics.VIEWER_LEFT), "missing topic viewer-left");
    assertRejected(
        t -> t.put(Topics.STREAM_STATS, new TopicSpec(12, 604800000L, "delete")),
        "stream-stats has 12 partitions");
    assertRejected(
        t ->
            t.put(Topics.TOKEN_REVOKED, new TopicSpec(3, Duration.ofDays(30).toMillis(), "delete")),
        "token-revoked keeps revocations");
    assertRejected(
        t -> t.put(Topics.TOKEN_REVOKED, new TopicSpec(3, 604800000L, "delete,compact")),
        "token-revoked keeps revocations");
    assertRejected(
        t -> t.put("viewer-joind", new TopicSpec(6, 604800000L, "delete")),
        "unexpected topic viewer-joind");
    String revocationDlq = Topics.deadLetter("stream-service", Topics.TOKEN_REVOKED);
    assertRejected(t -> t.remove(revocationDlq), "missing topic " + revocationDlq);
    assertRejected(
        t -> t.put(Topics.STREAM_ENDED, new TopicSpec(6, 60_000L, "delete")),
        "stream-ended keeps events less than a day");
  }

  @Test
  void theLongestApiKeyLifetimeIsReadFromTokenService() throws IOException {
    assertEquals(Duration.ofDays(730), longestApiKeyLifetime());
  }

  /**
   * What is wrong with a topic list; empty when it follows the contract. Partitions and topic set
   * come from {@link Topics}; every dead-letter topic the dev stack creates must exist (1
   * partition), and any further topic must be a dead-letter topic of a contract topic and a
   * service.
   */
  static List<String> violations(Map<String, TopicSpec> topics) throws IOException {
    List<String> violations = new ArrayList<>();
    Map<String, Integer> plan = DevstackTopics.plan();
    plan.forEach(
        (topic, partitions) -> {
          TopicSpec spec = topics.get(topic);
          if (spec == null) {
            violations.add("missing topic " + topic);
          } else if (spec.partitions() != partitions) {
            violations.add(topic + " has " + spec.partitions() + " partitions, not " + partitions);
          }
        });
    for (String topic : Topics.ALL) {
      TopicSpec spec = topics.get(topic);
      if (spec == null) {
        violations.add("missing topic " + topic);
      } else if (spec.partitions() != Topics.partitions(topic)) {
        violations.add(
            topic + " has " + spec.partitions() + " partitions, not " + Topics.partitions(topic));
      }
    }
    topics.forEach(
        (name, spec) -> {
          if (!Topics.ALL.contains(name) && !plan.containsKey(name)) {
            if (!isDeadLetterTopic(name)) {
              violations.add("unexpected topic " + name);
            } else if (spec.partitions() != 1) {
              violations.add(name + " has " + spec.partitions() + " partitions, not 1");
            }
          }
          if (spec.retentionMs() >= 0 && spec.retentionMs() < Duration.ofDays(1).toMillis()) {
            violations.add(name + " keeps events less than a day");
          }
        });
    TopicSpec revoked = topics.get(Topics.TOKEN_REVOKED);
    if (revoked != null) {
      // Every service replays revocations from the start of the topic, and a revoked key must stay
      // refused until it would have expired: keep them longer than any key lives. The topic is
      // keyed by account, so compaction would drop all but an account's latest revocation.
      long longest = longestApiKeyLifetime().toMillis();
      boolean compacted = revoked.cleanupPolicy().contains("compact");
      if (compacted || (revoked.retentionMs() >= 0 && revoked.retentionMs() <= longest)) {
        violations.add(
            "token-revoked keeps revocations for "
                + revoked.retentionMs()
                + " ms with cleanup.policy "
                + revoked.cleanupPolicy()
                + "; API keys live up to "
                + longest
                + " ms");
      }
    }
    return violations;
  }

  private static boolean isDeadLetterTopic(String name) {
    for (String topic : Topics.ALL) {
      for (String service : ComposeSchemaTest.SERVICES) {
        if (name.equals(Topics.deadLetter(service, topic))) {
          return true;
        }
      }
    }
    return false;
  }

  /** token-service's default {@code beamline.api-keys.max-lifetime}, read from its source. */
  static Duration longestApiKeyLifetime() throws IOException {
    String source =
        Files.readString(
            RepoFiles.resolve(
                "token-service/src/main/java/io/beamline/token/config/ApiKeysConfig.java"));
    Matcher m =
        Pattern.compile("@WithDefault\\(\"(\\d+)d\"\\)\\s*Duration maxLifetime\\(\\)")
            .matcher(source);
    assertTrue(m.find(), "no maxLifetime default in ApiKeysConfig");
    return Duration.ofDays(Long.parseLong(m.group(1)));
  }

  private static void assertRejected(Consumer<Map<String, TopicSpec>> breakIt, String expected)
      throws IOException {
    Map<String, TopicSpec> topics = new LinkedHashMap<>(kafkaTopics("k8s/overlays/prod"));
    breakIt.accept(topics);
    List<String> violations = violations(topics);
    assertTrue(
        violations.stream().anyMatch(v -> v.contains(expected)),
        () -> "expected a violation containing '" + expected + "', got " + violations);
  }

  static Map<String, TopicSpec> kafkaTopics(String kustomization) {
    Map<String, TopicSpec> topics = new LinkedHashMap<>();
    for (JsonNode topic : Manifests.ofKind(kustomization, "KafkaTopic")) {
      JsonNode spec = topic.path("spec");
      String name =
          spec.hasNonNull("topicName")
              ? spec.path("topicName").asText()
              : topic.path("metadata").path("name").asText();
      assertEquals(
          "beamline",
          topic.path("metadata").path("labels").path("strimzi.io/cluster").asText(),
          () -> name + " is not bound to the Kafka cluster");
      topics.put(
          name,
          new TopicSpec(
              spec.path("partitions").asInt(),
              spec.path("config").path("retention.ms").asLong(),
              spec.path("config").path("cleanup.policy").asText()));
    }
    return topics;
  }

  /** The init container's list: "topic partitions retention.ms" per line; cleanup.policy=delete. */
  static Map<String, TopicSpec> composeTopics() throws IOException {
    JsonNode compose = ComposeFile.read();
    String content = compose.path("configs").path("kafka-topics").path("content").asText();
    String command = compose.path("services").path("kafka-topics").path("command").toString();
    assertTrue(command.contains("cleanup.policy=delete"), "compose topics are not delete-policy");
    Map<String, TopicSpec> topics = new LinkedHashMap<>();
    for (String line : content.strip().split("\n")) {
      String[] parts = line.trim().split("\\s+");
      assertEquals(3, parts.length, () -> "bad topic line: " + line);
      topics.put(
          parts[0], new TopicSpec(Integer.parseInt(parts[1]), Long.parseLong(parts[2]), "delete"));
    }
    return topics;
  }
}
