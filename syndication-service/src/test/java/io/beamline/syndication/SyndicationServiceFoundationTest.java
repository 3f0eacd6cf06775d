package io.beamline.syndication;

import io.beamline.devstack.test.ServiceFoundationContract;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Set;

/** The shared service foundation checks, applied to syndication-service. */
@QuarkusTest
class SyndicationServiceFoundationTest extends ServiceFoundationContract {

  SyndicationServiceFoundationTest() {
    super("syndication-service", "syndication", Set.of("restream:read", "restream:write"));
  }

  @Override
  protected List<String> extraReadinessChecks() {
    return List.of("restream-events");
  }

  @Override
  protected List<String> serviceMigrations() {
    return List.of(
        "1 db/migration/V1__syndication_baseline.sql",
        "2 db/migration/V2__restream.sql",
        "3 db/migration/V3__partner_sessions.sql",
        "4 db/migration/V4__sealed_stream_keys.sql");
  }
}
