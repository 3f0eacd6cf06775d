package io.beamline.platform.testapp;

import io.beamline.events.BeamlineEvent;
import java.time.Instant;
import java.util.UUID;

/** The toy event of the platform tests: a tick was recorded. */
public record TickRecordedEvent(UUID eventId, String accountId, Instant occurredAt, String label)
    implements BeamlineEvent {}
