-- Transactional outbox: rows are written in the same transaction as the state change they describe,
-- and the relay publishes them to Kafka in insertion order.
CREATE TABLE outbox_event (
  position     BIGSERIAL    PRIMARY KEY,
  id           UUID         NOT NULL UNIQUE,
  topic        VARCHAR(200) NOT NULL,
  event_key    VARCHAR(500) NOT NULL,
  event_type   VARCHAR(200) NOT NULL,
  source       VARCHAR(200) NOT NULL,
  subject      VARCHAR(500),
  payload      TEXT         NOT NULL,
  occurred_at  TIMESTAMPTZ  NOT NULL,
  created_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
  published_at TIMESTAMPTZ,
  attempts     INT          NOT NULL DEFAULT 0,
  last_error   VARCHAR(1000)
);

-- The relay only ever scans unpublished rows; keep that scan cheap however large the history grows.
CREATE INDEX outbox_event_unpublished ON outbox_event (position) WHERE published_at IS NULL;
CREATE INDEX outbox_event_published_at ON outbox_event (published_at) WHERE published_at IS NOT NULL;
