package io.beamline.platform.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.events.EventJson;
import io.beamline.events.Topics;
import io.beamline.events.token.TokenKind;
import io.beamline.events.token.TokenRevokedEvent;
import io.beamline.platform.outbox.OutboxProducer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
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

  private final ApiKeyRevocations revocations;
  private final AuthConfig config;
  private final OutboxProducer deadLetters;
  private final String bootstrapServers;
  private final String service;
  private final ObjectMapper json = EventJson.newObjectMapper();
  private volatile KafkaConsumer<String, String> consumer;
  private volatile boolean running;
  private Thread thread;

  public RevocationListener(
      ApiKeyRevocations revocations,
      AuthConfig config,
      OutboxProducer deadLetters,
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
    running = true;
    thread = new Thread(this::run, "api-key-revocations");
    thread.setDaemon(true);
    thread.start();
  }

  void stop(@Observes ShutdownEvent ignored) {
    running = false;
    KafkaConsumer<String, String> current = consumer;
    if (current != null) {
      current.wakeup();
    }
    if (thread != null) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    while (running) {
      try (KafkaConsumer<String, String> kafka = new KafkaConsumer<>(properties())) {
        consumer = kafka;
        follow(kafka);
      } catch (WakeupException e) {
        return;
      } catch (RuntimeException e) {
        Log.warnf("revocation listener: %s; retrying", e.getMessage());
        pause();
      }
    }
  }

  private void follow(KafkaConsumer<String, String> kafka) {
    List<TopicPartition> partitions = awaitPartitions(kafka);
    if (partitions == null) {
      return;
    }
    kafka.assign(partitions);
    kafka.seekToBeginning(partitions);
    Map<TopicPartition, Long> startEnd = kafka.endOffsets(partitions);
    while (running) {
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
    }
  }

  private List<TopicPartition> awaitPartitions(KafkaConsumer<String, String> kafka) {
    while (running) {
      List<PartitionInfo> infos = kafka.partitionsFor(Topics.TOKEN_REVOKED, Duration.ofSeconds(5));
      if (infos != null && !infos.isEmpty()) {
        return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      }
      // No topic yet means no key was ever revoked: nothing to catch up with.
      revocations.markCaughtUp();
      pause();
    }
    return null;
  }

  private void apply(ConsumerRecord<String, String> record) {
    try {
      TokenRevokedEvent event = json.readValue(record.value(), TokenRevokedEvent.class);
      if (event.tokenKind() == TokenKind.API_KEY) {
        revocations.revoke(String.valueOf(event.tokenId()), event.expiresAt());
        Log.infof("API key %s revoked (%s)", event.tokenId(), event.reason());
      }
    } catch (Exception e) {
      String deadLetterTopic = Topics.deadLetter(service, Topics.TOKEN_REVOKED);
      Log.errorf(
          "unreadable token-revoked record at offset %d: %s; sent to %s",
          record.offset(), e.getMessage(), deadLetterTopic);
      ProducerRecord<String, byte[]> dead =
          new ProducerRecord<>(
              deadLetterTopic,
              record.key(),
              record.value() == null ? null : record.value().getBytes());
      record.headers().forEach(h -> dead.headers().add(h));
      deadLetters.get().send(dead);
    }
  }

  private void pause() {
    try {
      Thread.sleep(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  private Properties properties() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, service + "-revocations");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return p;
  }
}
