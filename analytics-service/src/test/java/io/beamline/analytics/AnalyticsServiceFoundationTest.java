package io.beamline.analytics;

import io.beamline.devstack.test.ServiceFoundationContract;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Set;

/** The shared service foundation checks, applied to analytics-service. */
@QuarkusTest
class AnalyticsServiceFoundationTest extends ServiceFoundationContract {

  AnalyticsServiceFoundationTest() {
    super("analytics-service", "analytics", Set.of("analytics:read"));
  }
}
