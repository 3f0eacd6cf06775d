package io.beamline.syndication;

import io.beamline.devstack.test.BeamlineInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/**
 * Real Kafka, PostgreSQL (database {@code syndication}) and S3Proxy for every test of this module.
 */
@QuarkusTestResource(
    value = BeamlineInfraResource.class,
    initArgs = @ResourceArg(name = "database", value = "syndication"))
public class InfraTestResources {}
