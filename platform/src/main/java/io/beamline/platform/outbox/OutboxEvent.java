package io.beamline.platform.outbox;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One event waiting in the outbox table to be published, written with the state it describes. */
@Entity
@Table(name = "outbox_event")
public class OutboxEvent {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long position;

  @Column(nullable = false, unique = true)
  public UUID id;

  @Column(nullable = false)
  public String topic;

  @Column(name = "event_key", nullable = false)
  public String key;

  @Column(name = "event_type", nullable = false)
  public String type;

  @Column(nullable = false)
  public String source;

  public String subject;

  @Column(nullable = false)
  public String payload;

  @Column(name = "occurred_at", nullable = false)
  public Instant occurredAt;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "published_at")
  public Instant publishedAt;

  public int attempts;

  @Column(name = "last_error")
  public String lastError;
}
