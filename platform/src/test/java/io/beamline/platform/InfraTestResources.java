package io.beamline.platform;

import io.beamline.devstack.test.BeamlineInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/** Starts real Kafka, PostgreSQL and S3Proxy once for every test of this module. */
@QuarkusTestResource(
    value = BeamlineInfraResource.class,
    initArgs = @ResourceArg(name = "database", value = "platform"))
public class InfraTestResources {}
