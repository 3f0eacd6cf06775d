-- Inbox of an idempotent consumer: an event id is stored in the same transaction as its effect,
-- so a redelivered event finds its id here and changes nothing.
CREATE TABLE processed_event (
  consumer     VARCHAR(200) NOT NULL,
  event_id     UUID         NOT NULL,
  topic        VARCHAR(200) NOT NULL,
  processed_at TIMESTAMPTZ  NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);

CREATE INDEX processed_event_processed_at ON processed_event (processed_at);
