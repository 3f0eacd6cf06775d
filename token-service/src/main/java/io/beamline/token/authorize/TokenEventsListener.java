package io.beamline.token.authorize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.events.EventJson;
import io.beamline.events.Topics;
import io.beamline.platform.kafka.ConsumerLoop;
import io.beamline.platform.kafka.ConsumerSettings;
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
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
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
  private static final Duration RETRY = Duration.ofSeconds(1);
  private static final Set<String> STREAMING_KINDS = Set.of("PUBLISH_TOKEN", "SUBSCRIBE_TOKEN");

  private final TokenStore store;
  private final TokenIndex index;
  private final AuthorizeConfig config;
  private final String bootstrapServers;
  private final String service;
  private final ObjectMapper json = EventJson.newObjectMapper();
  private ConsumerLoop loop;

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
    loop =
        ConsumerLoop.start(
            "token-index",
            () -> ConsumerSettings.of(bootstrapServers, null, service + "-token-index"),
            RETRY,
            new Follow());
  }

  void stop(@Observes ShutdownEvent ignored) {
    if (loop != null) {
      loop.stop(Duration.ofSeconds(5));
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

  /**
   * Takes a position at the end of the topics, then loads (or catches up from) the database, then
   * applies events and a periodic refresh.
   */
  private final class Follow implements ConsumerLoop.Work {

    private List<TopicPartition> partitions = List.of();
    private Instant watermark;
    private Instant nextRefresh;

    @Override
    public boolean connected(KafkaConsumer<String, String> kafka) {
      partitions = partitions(kafka);
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
      nextRefresh = Instant.now().plus(config.refreshInterval());
      return true;
    }

    @Override
    public boolean pollOnce(KafkaConsumer<String, String> kafka) {
      for (ConsumerRecord<String, String> record : kafka.poll(config.eventPollTimeout())) {
        apply(record);
      }
      if (partitions.size() < TOPICS.size() && partitions(kafka).size() > partitions.size()) {
        // A topic appeared after start (fresh broker): reconnect to follow it too.
        return false;
      }
      if (!Instant.now().isBefore(nextRefresh)) {
        watermark = store.refreshSince(watermark);
        nextRefresh = Instant.now().plus(config.refreshInterval());
      }
      return true;
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
}
