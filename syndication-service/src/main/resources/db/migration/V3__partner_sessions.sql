-- Viewer sessions of partners (subscribe tokens with a tracking id), from viewer-joined and
-- viewer-left: what the per-partner view sums. Untracked sessions and Beamline's own readers are
-- not stored. The session id makes both events idempotent.
CREATE TABLE partner_session (
  viewer_session_id VARCHAR(200) PRIMARY KEY,
  account_id        VARCHAR(128) NOT NULL,
  tracking_id       VARCHAR(128) NOT NULL,
  stream_name       VARCHAR(128) NOT NULL,
  client_country    VARCHAR(2),
  joined_at         TIMESTAMPTZ,
  left_at           TIMESTAMPTZ,
  watched_seconds   BIGINT       NOT NULL DEFAULT 0,
  bytes_out         BIGINT       NOT NULL DEFAULT 0
);
CREATE INDEX partner_session_tracking ON partner_session (account_id, tracking_id);
