package io.beamline.analytics.health;

import io.beamline.analytics.messaging.AnalyticsEventsConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while every ingestion thread is polling Kafka (or ingestion is switched off). */
@Readiness
@ApplicationScoped
public class IngestReadiness implements HealthCheck {

  private final AnalyticsEventsConsumer consumer;

  public IngestReadiness(AnalyticsEventsConsumer consumer) {
    this.consumer = consumer;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("analytics-ingest").status(consumer.healthy()).build();
  }
}
