package io.beamline.syndication.health;

import io.beamline.syndication.messaging.StreamEventsConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the stream-event consumer is polling Kafka (it is what starts and stops jobs).
 */
@Readiness
@ApplicationScoped
public class RestreamEventsReadiness implements HealthCheck {

  private final StreamEventsConsumer consumer;

  public RestreamEventsReadiness(StreamEventsConsumer consumer) {
    this.consumer = consumer;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("restream-events").status(consumer.polling()).build();
  }
}
