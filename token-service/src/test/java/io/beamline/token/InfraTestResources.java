package io.beamline.token;

import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.token.authorize.TestGeoIpResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/**
 * Real Kafka, PostgreSQL and S3Proxy for every test of this module, plus a known HTTP port and a
 * tiny GeoIP country database.
 */
@QuarkusTestResource(
    value = BeamlineInfraResource.class,
    initArgs = @ResourceArg(name = "database", value = "token"))
@QuarkusTestResource(SelfJwksResource.class)
@QuarkusTestResource(TestGeoIpResource.class)
public class InfraTestResources {}
