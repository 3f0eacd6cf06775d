package io.beamline.events;

import java.time.Instant;
import java.util.UUID;

/** What every event payload carries: its identity, its account and when it happened. */
public interface BeamlineEvent {

  /** Unique id of this event, equal to the {@code ce_id} header; consumers dedupe on it. */
  UUID eventId();

  /** Account the event belongs to. */
  String accountId();

  /**
   * When the fact happened at the producer (not when it was published), equal to {@code ce_time}.
   */
  Instant occurredAt();
}
