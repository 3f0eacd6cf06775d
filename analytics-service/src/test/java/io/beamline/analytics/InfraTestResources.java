package io.beamline.analytics;

import io.beamline.devstack.test.BeamlineInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/**
 * Real Kafka, PostgreSQL (database {@code analytics}) and S3Proxy for every test of this module.
 */
@QuarkusTestResource(
    value = BeamlineInfraResource.class,
    initArgs = @ResourceArg(name = "database", value = "analytics"))
public class InfraTestResources {}
