package io.beamline.token.authorize;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports the GeoIP database. Down when one is configured but unreadable (an operator mistake); up
 * without one, saying that country rules refuse every viewer with {@code geoip_unavailable}.
 */
@Readiness
@ApplicationScoped
public class GeoIpReadiness implements HealthCheck {

  private final GeoIp geoIp;

  public GeoIpReadiness(GeoIp geoIp) {
    this.geoIp = geoIp;
  }

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response = HealthCheckResponse.named("geoip");
    if (geoIp.available()) {
      return response.up().withData("database", geoIp.path()).build();
    }
    response.withData("problem", geoIp.problem()).withData("countryRules", "refused");
    return geoIp.path() == null ? response.up().build() : response.down().build();
  }
}
