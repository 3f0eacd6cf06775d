package io.beamline.stream.messaging;

import io.beamline.events.Topics;
import io.beamline.events.token.TokenKind;
import io.beamline.events.token.TokenRevokedEvent;
import io.beamline.platform.inbox.IncomingEvent;
import io.beamline.platform.inbox.ProcessedEvents;
import io.beamline.platform.outbox.OutboxProducer;
import io.beamline.stream.service.StreamControl;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Follows {@code token-revoked} in the {@code stream-service} consumer group and ends the live
 * publishers and viewers of a revoked publish or subscribe token. Each event is applied once
 * (inbox); unreadable records go to {@code token-revoked.stream-service.dlq}.
 */
@ApplicationScoped
public class TokenRevokedConsumer {

  static final String CONSUMER = "stream-service.token-revoked";

  private final StreamControl control;
  private final ProcessedEvents inbox;
  private final OutboxProducer deadLetters;
  private final String bootstrapServers;
  private volatile boolean running;
  private volatile KafkaConsumer<String, String> consumer;
  private Thread thread;

  public TokenRevokedConsumer(
      StreamControl control,
      ProcessedEvents inbox,
      OutboxProducer deadLetters,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
    this.control = control;
    this.inbox = inbox;
    this.deadLetters = deadLetters;
    this.bootstrapServers = bootstrapServers;
  }

  void start(@Observes StartupEvent ignored) {
    running = true;
    thread = new Thread(this::run, "token-revoked-consumer");
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
        kafka.subscribe(List.of(Topics.TOKEN_REVOKED));
        while (running) {
          for (ConsumerRecord<String, String> record : kafka.poll(Duration.ofMillis(200))) {
            apply(record);
          }
          kafka.commitSync();
        }
      } catch (WakeupException e) {
        return;
      } catch (RuntimeException e) {
        // Uncommitted records come again; the inbox skips what was already applied.
        Log.warnf(e, "token-revoked consumer: %s; retrying", e.getMessage());
        pause();
      }
    }
  }

  private void apply(ConsumerRecord<String, String> record) {
    IncomingEvent<TokenRevokedEvent> event;
    try {
      event = IncomingEvent.read(record, TokenRevokedEvent.class);
    } catch (IllegalArgumentException e) {
      deadLetter(record, e);
      return;
    }
    TokenRevokedEvent revoked = event.payload();
    if (revoked.tokenKind() != TokenKind.PUBLISH_TOKEN
        && revoked.tokenKind() != TokenKind.SUBSCRIBE_TOKEN) {
      return; // API keys: the platform's revocation listener refuses them.
    }
    // The effect spans one transaction per feed or viewer plus calls to the media node, so it
    // cannot share a transaction with the inbox row. It is idempotent instead (ending an ended
    // session changes nothing), and the inbox row is written after it: a crash in between applies
    // the event again, harmlessly; a redelivery after it is skipped and counted.
    if (alreadyApplied(event)) {
      return;
    }
    control.tokenRevoked(revoked.tokenId(), revoked.tokenKind() == TokenKind.PUBLISH_TOKEN);
    QuarkusTransaction.requiringNew()
        .run(() -> inbox.firstDelivery(CONSUMER, Topics.TOKEN_REVOKED, event.eventId()));
    Log.infof(
        "%s %d revoked (%s): its live sessions were ended",
        revoked.tokenKind(), revoked.tokenId(), revoked.reason());
  }

  private boolean alreadyApplied(IncomingEvent<TokenRevokedEvent> event) {
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                io.quarkus.hibernate.orm.panache.Panache.getEntityManager()
                            .createNativeQuery(
                                "select count(*) from processed_event where consumer = ?1"
                                    + " and event_id = ?2")
                            .setParameter(1, CONSUMER)
                            .setParameter(2, event.eventId())
                            .getSingleResult()
                        instanceof Number n
                    && n.longValue() > 0);
  }

  private void deadLetter(ConsumerRecord<String, String> record, Exception e) {
    String topic = Topics.deadLetter("stream-service", Topics.TOKEN_REVOKED);
    Log.errorf(
        "unreadable token-revoked record at offset %d: %s; sent to %s",
        record.offset(), e.getMessage(), topic);
    ProducerRecord<String, byte[]> dead =
        new ProducerRecord<>(
            topic, record.key(), record.value() == null ? null : record.value().getBytes());
    record.headers().forEach(h -> dead.headers().add(h));
    deadLetters.get().send(dead);
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
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "stream-service");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "stream-service-token-revoked");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return p;
  }
}
