package io.beamline.platform.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.events.EventJson;
import io.beamline.events.Topics;
import io.beamline.events.token.TokenKind;
import io.beamline.events.token.TokenRevokedEvent;
import io.beamline.platform.kafka.ConsumerLoop;
import io.beamline.platform.kafka.ConsumerSettings;
import io.beamline.platform.kafka.DeadLetters;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Follows {@code token-revoked} from the beginning on every instance, so each instance refuses a
 * revoked API key within a poll interval.
 *
 * <p>This is a broadcast, not a work queue: every instance must see every revocation, so the
 * listener assigns itself all partitions without a consumer group instead of sharing them. Its
 * effect (an in-memory set) is idempotent, so re-reading the topic at start is harmless.
 */
@ApplicationScoped
public class RevocationListener {

  private static final Duration RETRY = Duration.ofSeconds(1);

  private final ApiKeyRevocations revocations;
  private final AuthConfig config;
  private final DeadLetters deadLetters;
  private final String bootstrapServers;
  private final String service;
  private final ObjectMapper json = EventJson.newObjectMapper();
  private ConsumerLoop loop;

  public RevocationListener(
      ApiKeyRevocations revocations,
      AuthConfig config,
      DeadLetters deadLetters,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
      @ConfigProperty(name = "quarkus.application.name") String service) {
    this.revocations = revocations;
    this.config = config;
    this.deadLetters = deadLetters;
    this.bootstrapServers = bootstrapServers;
    this.service = service;
  }

  void start(@Observes StartupEvent ignored) {
    if (!config.followRevocations()) {
      revocations.markCaughtUp();
      return;
    }
    loop =
        ConsumerLoop.start(
            "api-key-revocations",
            () -> ConsumerSettings.of(bootstrapServers, null, service + "-revocations"),
            RETRY,
            new Follow());
  }

  void stop(@Observes ShutdownEvent ignored) {
    if (loop != null) {
      loop.stop(Duration.ofSeconds(5));
    }
  }

  /** Reads the whole topic from its beginning, then follows it. */
  private final class Follow implements ConsumerLoop.Work {

    private Map<TopicPartition, Long> startEnd = Map.of();

    @Override
    public boolean connected(KafkaConsumer<String, String> kafka) {
      List<PartitionInfo> infos = kafka.partitionsFor(Topics.TOKEN_REVOKED, Duration.ofSeconds(5));
      if (infos == null || infos.isEmpty()) {
        // No topic yet means no key was ever revoked: nothing to catch up with.
        revocations.markCaughtUp();
        return false;
      }
      List<TopicPartition> partitions =
          infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      kafka.assign(partitions);
      kafka.seekToBeginning(partitions);
      startEnd = kafka.endOffsets(partitions);
      return true;
    }

    @Override
    public boolean pollOnce(KafkaConsumer<String, String> kafka) {
      for (ConsumerRecord<String, String> record : kafka.poll(config.revocationPollTimeout())) {
        apply(record);
      }
      if (!revocations.caughtUp()
          && startEnd.entrySet().stream()
              .allMatch(e -> kafka.position(e.getKey()) >= e.getValue())) {
        revocations.markCaughtUp();
        Log.infof("revocation listener caught up: %d revoked API keys", revocations.size());
      }
      revocations.forgetExpired(Instant.now());
      return true;
    }
  }

  private void apply(ConsumerRecord<String, String> record) {
    TokenRevokedEvent event;
    try {
      event = json.readValue(record.value(), TokenRevokedEvent.class);
    } catch (Exception e) {
      deadLetters.send(record, e);
      return;
    }
    if (event.tokenKind() == TokenKind.API_KEY) {
      revocations.revoke(String.valueOf(event.tokenId()), event.expiresAt());
      Log.infof("API key %s revoked (%s)", event.tokenId(), event.reason());
    }
  }
}
