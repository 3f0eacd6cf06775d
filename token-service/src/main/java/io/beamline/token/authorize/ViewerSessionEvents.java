package io.beamline.token.authorize;

import io.beamline.events.Topics;
import io.beamline.events.stream.ViewerJoinedEvent;
import io.beamline.events.stream.ViewerLeftEvent;
import io.beamline.platform.inbox.IncomingEvent;
import io.beamline.platform.kafka.ConsumerLoop;
import io.beamline.platform.kafka.ConsumerSettings;
import io.beamline.platform.kafka.DeadLetters;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Records viewer sessions from stream-service's {@code viewer-joined} and {@code viewer-left}
 * events (consumer group {@code token-service}), so that a viewer whose token can refuse nobody
 * costs no call at media start and a cap set later still counts every session.
 *
 * <p>A poll is applied in one transaction before its offsets are committed; a replay changes
 * nothing (the session id is the key, an end is kept once set). Unreadable records go to {@code
 * <topic>.token-service.dlq}.
 */
@ApplicationScoped
public class ViewerSessionEvents {

  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration RETRY = Duration.ofSeconds(1);

  private final ViewerSessions sessions;
  private final TokenIndex index;
  private final TokenStore store;

  /** Unknown token ids looked up in the database, and when (only the consumer thread uses it). */
  private final Map<Long, Long> unknownLookedUp = new HashMap<>();

  private static final long UNKNOWN_RECHECK_NANOS = TimeUnit.MINUTES.toNanos(1);
  private final AuthorizeConfig config;
  private final DeadLetters deadLetters;
  private final String bootstrapServers;
  private final String service;
  private ConsumerLoop loop;

  public ViewerSessionEvents(
      ViewerSessions sessions,
      TokenIndex index,
      TokenStore store,
      AuthorizeConfig config,
      DeadLetters deadLetters,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
      @ConfigProperty(name = "quarkus.application.name") String service) {
    this.sessions = sessions;
    this.index = index;
    this.store = store;
    this.config = config;
    this.deadLetters = deadLetters;
    this.bootstrapServers = bootstrapServers;
    this.service = service;
  }

  void start(@Observes StartupEvent ignored) {
    loop =
        ConsumerLoop.start(
            "viewer-session-events",
            () -> {
              Properties settings =
                  ConsumerSettings.of(bootstrapServers, service, service + "-viewer-sessions");
              // Fewer, fuller fetches under a crowd of viewers: each fetch costs the broker and
              // this loop a round trip; an event waits at most 50 ms longer.
              settings.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "32768");
              settings.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
              return settings;
            },
            RETRY,
            new ConsumerLoop.Work() {
              @Override
              public boolean connected(KafkaConsumer<String, String> kafka) {
                if (!index.loaded()) {
                  return false; // tokens are checked against the index: wait for its first load
                }
                kafka.subscribe(List.of(Topics.VIEWER_JOINED, Topics.VIEWER_LEFT));
                return true;
              }

              @Override
              public boolean pollOnce(KafkaConsumer<String, String> kafka) {
                ConsumerRecords<String, String> records = kafka.poll(POLL);
                if (!records.isEmpty()) {
                  sessions.apply(read(records));
                  kafka.commitSync();
                }
                return true;
              }
            });
  }

  void stop(@Observes ShutdownEvent ignored) {
    if (loop != null) {
      loop.stop(Duration.ofSeconds(5));
    }
  }

  /** Whether the consumer is polling (for readiness and tests). */
  public boolean polling() {
    return loop != null && loop.polling();
  }

  private List<ViewerSessionEvent> read(ConsumerRecords<String, String> records) {
    // Sessions that started longer ago than a session may live never count again: a replay of old
    // history (a new consumer group starts at the earliest offset) writes nothing for them.
    Instant oldest = Instant.now().minus(config.viewerSessionMaxAge());
    List<ViewerSessionEvent> events = new ArrayList<>(records.count());
    for (ConsumerRecord<String, String> record : records) {
      try {
        ViewerSessionEvent event = toSessionEvent(record);
        if (event != null && event.startedAt().isAfter(oldest) && ownsToken(event)) {
          events.add(event);
        }
      } catch (IllegalArgumentException e) {
        deadLetters.send(record, e);
      }
    }
    return events;
  }

  private static ViewerSessionEvent toSessionEvent(ConsumerRecord<String, String> record) {
    if (Topics.VIEWER_JOINED.equals(record.topic())) {
      ViewerJoinedEvent joined = IncomingEvent.read(record, ViewerJoinedEvent.class).payload();
      if (joined.internalReader() || joined.tokenId() == null) {
        return null; // platform workers and open streams are never counted against a cap
      }
      return new ViewerSessionEvent(
          joined.accountId(),
          joined.viewerSessionId(),
          joined.tokenId(),
          joined.occurredAt(),
          null);
    }
    ViewerLeftEvent left = IncomingEvent.read(record, ViewerLeftEvent.class).payload();
    if (left.internalReader() || left.tokenId() == null) {
      return null;
    }
    return new ViewerSessionEvent(
        left.accountId(),
        left.viewerSessionId(),
        left.tokenId(),
        left.joinedAt() != null ? left.joinedAt() : left.occurredAt(),
        left.occurredAt());
  }

  /**
   * A session counts against its token only when the event's account owns that token; a token the
   * database does not have (deleted since) has no cap left to count against.
   */
  private boolean ownsToken(ViewerSessionEvent event) {
    TokenRules token = index.subscribe(event.tokenId());
    if (token == null && mayLookUp(event.tokenId())) {
      // Created on another instance a moment ago, before its token event reached this one's index.
      store.reload(event.tokenId());
      token = index.subscribe(event.tokenId());
    }
    return token != null && token.accountId().equals(event.accountId());
  }

  /** At most one database look-up a minute per unknown token id (its viewers may be many). */
  private boolean mayLookUp(long tokenId) {
    long now = System.nanoTime();
    Long last = unknownLookedUp.get(tokenId);
    if (last != null && now - last < UNKNOWN_RECHECK_NANOS) {
      return false;
    }
    if (unknownLookedUp.size() >= 10_000) {
      unknownLookedUp.clear();
    }
    unknownLookedUp.put(tokenId, now);
    return true;
  }
}
