-- The probe's effect: one row per applied viewer-joined event and a running total per stream.
-- event_id is deliberately not unique: a double application must show up as a duplicate row.
CREATE TABLE applied_viewer_event (
  row_id     BIGSERIAL PRIMARY KEY,
  event_id   UUID        NOT NULL,
  stream_id  VARCHAR(300) NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE viewer_tally (
  stream_id VARCHAR(300) PRIMARY KEY,
  viewers   BIGINT       NOT NULL
);
