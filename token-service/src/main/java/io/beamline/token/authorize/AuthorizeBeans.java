package io.beamline.token.authorize;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Wires the framework-free {@link DecisionEngine} to the index, GeoIP and the database guard. */
public class AuthorizeBeans {

  @Produces
  @Singleton
  DecisionEngine decisionEngine(TokenIndex index, GeoIp geoIp, DatabaseUsageGuard guard) {
    return new DecisionEngine(index, geoIp, guard, Clock.systemUTC());
  }
}
