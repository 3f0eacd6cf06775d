package io.beamline.syndication;

import io.beamline.syndication.support.MediaPlane;
import io.quarkus.test.common.QuarkusTestResource;

/**
 * The real media plane (token-service, stream-service, nginx-rtmp) for every test of this module.
 */
@QuarkusTestResource(MediaPlane.class)
public class MediaTestResources {}
