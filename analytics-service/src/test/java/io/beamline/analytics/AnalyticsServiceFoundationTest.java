package io.beamline.analytics;

import io.beamline.devstack.test.ServiceFoundationContract;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Set;

/** The shared service foundation checks, applied to analytics-service. */
@QuarkusTest
class AnalyticsServiceFoundationTest extends ServiceFoundationContract {

  AnalyticsServiceFoundationTest() {
    super("analytics-service", "analytics", Set.of("analytics:read"));
  }

  @Override
  protected List<String> serviceMigrations() {
    return List.of(
        "1 db/migration/V1__analytics_baseline.sql", "2 db/migration/V2__analytics_domain.sql");
  }
}
