package io.beamline.platform;

import io.beamline.devstack.test.BeamlineInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/**
 * Starts real Kafka, PostgreSQL and S3Proxy once for every test of this module, with its topics.
 */
@QuarkusTestResource(
    value = BeamlineInfraResource.class,
    initArgs = @ResourceArg(name = "database", value = "platform"))
@QuarkusTestResource(TestTopicsResource.class)
public class InfraTestResources {}
