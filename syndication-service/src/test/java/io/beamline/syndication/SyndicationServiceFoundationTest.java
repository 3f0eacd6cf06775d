package io.beamline.syndication;

import io.beamline.devstack.test.ServiceFoundationContract;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Set;

/** The shared service foundation checks, applied to syndication-service. */
@QuarkusTest
class SyndicationServiceFoundationTest extends ServiceFoundationContract {

  SyndicationServiceFoundationTest() {
    super("syndication-service", "syndication", Set.of("restream:read", "restream:write"));
  }
}
