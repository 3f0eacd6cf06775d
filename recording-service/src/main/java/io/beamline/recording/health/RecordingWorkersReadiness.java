package io.beamline.recording.health;

import io.beamline.recording.messaging.RecordingEventsConsumer;
import io.beamline.recording.service.RecordingWorkers;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while the recording workers' consumer polls the stream events; shows the recordings running
 * here and the stream partitions assigned here.
 */
@Readiness
@ApplicationScoped
public class RecordingWorkersReadiness implements HealthCheck {

  static final String NAME = "recording-workers";

  private final RecordingEventsConsumer consumer;
  private final RecordingWorkers workers;

  public RecordingWorkersReadiness(RecordingEventsConsumer consumer, RecordingWorkers workers) {
    this.consumer = consumer;
    this.workers = workers;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named(NAME)
        .status(consumer.healthy())
        .withData("recordings", workers.running().size())
        .withData("workerId", workers.workerId())
        .withData(
            "partitions",
            workers.ownedPartitions().stream()
                .sorted()
                .map(String::valueOf)
                .collect(java.util.stream.Collectors.joining(",")))
        .build();
  }
}
