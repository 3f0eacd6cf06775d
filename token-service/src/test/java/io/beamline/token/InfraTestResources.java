package io.beamline.token;

import io.beamline.devstack.test.BeamlineInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/** Real Kafka, PostgreSQL and S3Proxy for every test of this module, plus a known HTTP port. */
@QuarkusTestResource(
    value = BeamlineInfraResource.class,
    initArgs = @ResourceArg(name = "database", value = "token"))
@QuarkusTestResource(SelfJwksResource.class)
public class InfraTestResources {}
