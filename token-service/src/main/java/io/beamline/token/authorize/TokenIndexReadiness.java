package io.beamline.token.authorize;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready until every token is in memory, so no decision is taken on a partial index. */
@Readiness
@ApplicationScoped
public class TokenIndexReadiness implements HealthCheck {

  private final TokenIndex index;

  public TokenIndexReadiness(TokenIndex index) {
    this.index = index;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("token-index")
        .status(index.loaded())
        .withData("tokens", index.size())
        .build();
  }
}
