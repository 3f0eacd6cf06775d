package io.beamline.token.authorize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.events.EventJson;
import io.beamline.events.Topics;
import io.beamline.token.service.AccountSecurityChanged;
import io.beamline.token.service.TokenChanged;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Keeps the {@link TokenIndex} current on every instance: loads it at start, then reloads a token
 * from the database on each {@code token-created}, {@code token-updated} and {@code token-revoked}
 * event, and re-reads recent changes periodically (account geo defaults have no event).
 *
 * <p>Like the API-key revocation listener this is a broadcast: every instance must see every event,
 * so it assigns itself all partitions without a consumer group. It takes its position at the end of
 * the topics before loading from the database, so no change can fall between the two.
 */
@ApplicationScoped
public class TokenEventsListener {

  private static final List<String> TOPICS =
      List.of(Topics.TOKEN_CREATED, Topics.TOKEN_UPDATED, Topics.TOKEN_REVOKED);
  private static final Set<String> STREAMING_KINDS = Set.of("PUBLISH_TOKEN", "SUBSCRIBE_TOKEN");

  private final TokenStore store;
  private final TokenIndex index;
  private final AuthorizeConfig config;
  private final String bootstrapServers;
  private final String service;
  private final ObjectMapper json = EventJson.newObjectMapper();
  private volatile KafkaConsumer<String, String> consumer;
  private volatile boolean running;
  private Thread thread;
  private Instant watermark;

  public TokenEventsListener(
      TokenStore store,
      TokenIndex index,
      AuthorizeConfig config,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
      @ConfigProperty(name = "quarkus.application.name") String service) {
    this.store = store;
    this.index = index;
    this.config = config;
    this.bootstrapServers = bootstrapServers;
    this.service = service;
  }

  void start(@Observes StartupEvent ignored) {
    running = true;
    thread = new Thread(this::run, "token-index");
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

  /** This instance's own changes apply at once, before the event has made the round trip. */
  void onTokenChanged(@Observes(during = TransactionPhase.AFTER_SUCCESS) TokenChanged changed) {
    if (index.loaded()) {
      store.reload(changed.tokenId());
    }
  }

  void onAccountSecurityChanged(
      @Observes(during = TransactionPhase.AFTER_SUCCESS) AccountSecurityChanged changed) {
    if (index.loaded()) {
      store.reloadAccount(changed.accountId());
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
        Log.warnf(e, "token index listener: %s; retrying", e.getMessage());
        pause();
      }
    }
  }

  private void follow(KafkaConsumer<String, String> kafka) {
    List<TopicPartition> partitions = partitions(kafka);
    kafka.assign(partitions);
    kafka.seekToEnd(partitions);
    // position() resolves the end offsets now, before the database is read.
    partitions.forEach(kafka::position);
    if (!index.loaded()) {
      watermark = store.loadAll();
      index.markLoaded();
    } else {
      // Reconnected after an error: catch up on whatever changed meanwhile.
      watermark = store.refreshSince(watermark);
    }
    Instant nextRefresh = Instant.now().plus(config.refreshInterval());
    while (running) {
      for (ConsumerRecord<String, String> record : kafka.poll(config.eventPollTimeout())) {
        apply(record);
      }
      if (partitions.size() < TOPICS.size() && partitions(kafka).size() > partitions.size()) {
        // A topic appeared after start (fresh broker): follow it too.
        return;
      }
      if (!Instant.now().isBefore(nextRefresh)) {
        watermark = store.refreshSince(watermark);
        nextRefresh = Instant.now().plus(config.refreshInterval());
      }
    }
  }

  private List<TopicPartition> partitions(KafkaConsumer<String, String> kafka) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : TOPICS) {
      List<PartitionInfo> infos = kafka.partitionsFor(topic, Duration.ofSeconds(5));
      if (infos != null) {
        infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      }
    }
    return partitions;
  }

  private void apply(ConsumerRecord<String, String> record) {
    try {
      JsonNode event = json.readTree(record.value());
      if (STREAMING_KINDS.contains(event.path("tokenKind").asText())) {
        store.reload(event.path("tokenId").asLong());
      }
    } catch (Exception e) {
      // Tolerant reader: an unreadable event changes nothing here; the periodic refresh re-reads
      // the database, which is the truth, so nothing is lost by skipping it.
      Log.warnf(
          "token index: unreadable %s record at offset %d: %s",
          record.topic(), record.offset(), e.getMessage());
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
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, service + "-token-index");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return p;
  }
}
