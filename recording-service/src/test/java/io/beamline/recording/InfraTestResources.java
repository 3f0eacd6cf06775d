package io.beamline.recording;

import io.beamline.devstack.test.BeamlineInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/**
 * Real Kafka, PostgreSQL (database {@code recording}) and S3Proxy for every test of this module.
 */
@QuarkusTestResource(
    value = BeamlineInfraResource.class,
    initArgs = @ResourceArg(name = "database", value = "recording"))
public class InfraTestResources {}
