package io.beamline.platform.kafka;

import io.beamline.events.Topics;
import io.beamline.platform.outbox.OutboxProducer;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Sends a record this service cannot apply to {@code <topic>.<service>.dlq}, with its key, value
 * and headers unchanged and the reason in a {@code dead-letter-reason} header.
 */
@ApplicationScoped
public class DeadLetters {

  /** The header that says why a record was dead-lettered. */
  public static final String REASON_HEADER = "dead-letter-reason";

  private static final long ACK_TIMEOUT_SECONDS = 30;

  private final OutboxProducer producer;
  private final String service;

  public DeadLetters(
      OutboxProducer producer, @ConfigProperty(name = "quarkus.application.name") String service) {
    this.producer = producer;
    this.service = service;
  }

  /**
   * Sends the record and waits for the broker's acknowledgement, so that the caller may commit the
   * offset past it right after.
   *
   * @throws IllegalStateException when the dead-letter topic cannot be written: the caller must not
   *     commit, and the record comes again
   */
  public void send(ConsumerRecord<String, String> record, Exception cause) {
    String topic = Topics.deadLetter(service, record.topic());
    Log.errorf(
        "unreadable %s record at partition %d offset %d: %s; sent to %s",
        record.topic(), record.partition(), record.offset(), cause.getMessage(), topic);
    ProducerRecord<String, byte[]> dead =
        new ProducerRecord<>(
            topic,
            record.key(),
            record.value() == null ? null : record.value().getBytes(StandardCharsets.UTF_8));
    record.headers().forEach(h -> dead.headers().add(h));
    dead.headers()
        .add(REASON_HEADER, String.valueOf(cause.getMessage()).getBytes(StandardCharsets.UTF_8));
    try {
      producer.get().send(dead).get(ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while dead-lettering to " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("dead-letter topic " + topic + " unavailable", e);
    }
  }
}
