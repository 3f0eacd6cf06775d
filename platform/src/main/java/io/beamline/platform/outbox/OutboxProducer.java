package io.beamline.platform.outbox;

import io.quarkus.logging.Log;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Owns the idempotent Kafka producer the outbox relay publishes with, and replaces it after a
 * failure so that one broken connection never wedges the relay.
 */
@ApplicationScoped
public class OutboxProducer {

  private final String bootstrapServers;
  private final String clientId;
  private Producer<String, byte[]> producer;

  public OutboxProducer(
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
      @ConfigProperty(name = "quarkus.application.name") String applicationName) {
    this.bootstrapServers = bootstrapServers;
    this.clientId = applicationName + "-outbox";
  }

  /** The current producer, created on first use. */
  public synchronized Producer<String, byte[]> get() {
    if (producer == null) {
      producer = new KafkaProducer<>(properties());
    }
    return producer;
  }

  /** Drops the current producer after a send failure; the next {@link #get()} builds a new one. */
  public synchronized void reset() {
    if (producer != null) {
      try {
        producer.close(Duration.ZERO);
      } catch (RuntimeException e) {
        Log.debugf(e, "closing a failed outbox producer");
      }
      producer = null;
    }
  }

  @PreDestroy
  synchronized void close() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
      producer = null;
    }
  }

  private Properties properties() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    // Idempotence + acks=all: the broker drops the producer's own retries, and an acknowledged
    // event is on every in-sync replica before its outbox row is marked published.
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    // Fail fast while the broker is away: the outbox keeps the rows, the next tick retries.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "8000");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
    return p;
  }
}
