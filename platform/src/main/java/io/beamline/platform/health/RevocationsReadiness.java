package io.beamline.platform.health;

import io.beamline.platform.auth.ApiKeyRevocations;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready until revocations published before start have been read, so a freshly started instance
 * never accepts an API key that the others already refuse.
 */
@Readiness
@ApplicationScoped
public class RevocationsReadiness implements HealthCheck {

  private final ApiKeyRevocations revocations;

  public RevocationsReadiness(ApiKeyRevocations revocations) {
    this.revocations = revocations;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("api-key-revocations")
        .status(revocations.caughtUp())
        .withData("revokedKeys", revocations.size())
        .build();
  }
}
