package io.beamline.stream.messaging;

import io.beamline.events.Topics;
import io.beamline.events.token.TokenKind;
import io.beamline.events.token.TokenRevokedEvent;
import io.beamline.platform.inbox.IncomingEvent;
import io.beamline.platform.inbox.ProcessedEvents;
import io.beamline.platform.kafka.ConsumerLoop;
import io.beamline.platform.kafka.ConsumerSettings;
import io.beamline.platform.kafka.DeadLetters;
import io.beamline.stream.service.StreamControl;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Follows {@code token-revoked} in the {@code stream-service} consumer group and ends the live
 * publishers and viewers of a revoked publish or subscribe token. Each event is applied once
 * (inbox); unreadable records go to {@code token-revoked.stream-service.dlq}.
 */
@ApplicationScoped
public class TokenRevokedConsumer {

  static final String CONSUMER = "stream-service.token-revoked";

  private static final Duration POLL = Duration.ofMillis(200);

  private static final Duration RETRY = Duration.ofSeconds(1);

  private final StreamControl control;
  private final ProcessedEvents inbox;
  private final DeadLetters deadLetters;
  private final String bootstrapServers;
  private ConsumerLoop loop;

  public TokenRevokedConsumer(
      StreamControl control,
      ProcessedEvents inbox,
      DeadLetters deadLetters,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
    this.control = control;
    this.inbox = inbox;
    this.deadLetters = deadLetters;
    this.bootstrapServers = bootstrapServers;
  }

  void start(@Observes StartupEvent ignored) {
    loop =
        ConsumerLoop.start(
            "token-revoked-consumer",
            () ->
                ConsumerSettings.of(
                    bootstrapServers, "stream-service", "stream-service-token-revoked"),
            RETRY,
            new ConsumerLoop.Work() {
              @Override
              public boolean connected(KafkaConsumer<String, String> kafka) {
                kafka.subscribe(List.of(Topics.TOKEN_REVOKED));
                return true;
              }

              @Override
              public boolean pollOnce(KafkaConsumer<String, String> kafka) {
                for (ConsumerRecord<String, String> record : kafka.poll(POLL)) {
                  apply(record);
                }
                // Uncommitted records come again after a failure; the inbox skips what was
                // already applied.
                kafka.commitSync();
                return true;
              }
            });
  }

  void stop(@Observes ShutdownEvent ignored) {
    if (loop != null) {
      loop.stop(Duration.ofSeconds(5));
    }
  }

  private void apply(ConsumerRecord<String, String> record) {
    IncomingEvent<TokenRevokedEvent> event;
    try {
      event = IncomingEvent.read(record, TokenRevokedEvent.class);
    } catch (IllegalArgumentException e) {
      deadLetters.send(record, e);
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
}
