-- The analytics domain: an inbox for batch ingestion, live state, raw feeds and viewer sessions,
-- and the traffic aggregates every query reads.

-- Inbox of the batch consumer (one row per applied event, written in the same transaction as its
-- effect, a whole batch in one "insert ... select unnest(?) on conflict do nothing returning").
-- Not the platform's processed_event: ProcessedEvents.firstDelivery costs a statement per event,
-- and this table is lean on purpose (none of processed_event's consumer/topic columns). Viewer
-- events, nearly all of the volume, are not listed here: their session row records their ids
-- (stream_view.joined_event_id/left_event_id).
CREATE TABLE ingested_event (
  event_id    UUID        PRIMARY KEY,
  ingested_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ingested_event_ingested_at ON ingested_event USING brin (ingested_at);

-- Live state of each stream. Only an event with a higher per-stream sequence than the last
-- applied one changes it, so a late stream-started cannot resurrect an ended stream.
CREATE TABLE live_stream (
  account_id     TEXT        NOT NULL,
  stream_name    TEXT        NOT NULL,
  cluster_id     TEXT        NOT NULL,
  live           BOOLEAN     NOT NULL,
  state_sequence BIGINT      NOT NULL,
  started_at     TIMESTAMPTZ,
  ended_at       TIMESTAMPTZ,
  PRIMARY KEY (account_id, stream_name)
);
CREATE INDEX live_stream_live ON live_stream (account_id) WHERE live;

-- One publisher connection. Its two halves may arrive in either order; the second one to arrive
-- completes the row and that is when its publish time is counted (exactly once).
CREATE TABLE feed (
  account_id       TEXT        NOT NULL,
  feed_id          TEXT        NOT NULL,
  stream_name      TEXT        NOT NULL,
  cluster_id       TEXT        NOT NULL,
  source_id        TEXT,
  country          TEXT,
  protocol         TEXT,
  started_at       TIMESTAMPTZ,
  ended_at         TIMESTAMPTZ,
  duration_seconds BIGINT,
  bytes_in         BIGINT,
  started_event_id UUID,
  ended_event_id   UUID,
  PRIMARY KEY (account_id, feed_id)
);
CREATE INDEX feed_started ON feed (account_id, started_at);

-- One viewer session (the reference's StreamView). The ids of its joined and left events make the
-- row the inbox of viewer events: each half is applied once, in either order.
CREATE TABLE stream_view (
  account_id      TEXT        NOT NULL,
  view_id         TEXT        NOT NULL,
  stream_name     TEXT        NOT NULL,
  cluster_id      TEXT        NOT NULL,
  tracking_id     TEXT,
  country         TEXT,
  protocol        TEXT,
  internal_reader BOOLEAN     NOT NULL,
  started_at      TIMESTAMPTZ,
  ended_at        TIMESTAMPTZ,
  watched_seconds BIGINT,
  bytes_out       BIGINT,
  joined_event_id UUID,
  left_event_id   UUID,
  PRIMARY KEY (account_id, view_id)
) WITH (fillfactor = 50);
-- No index touches the columns viewer-left sets, and pages keep half their space free (a leave
-- makes a row about a fifth longer, and the old version is still live until the batch commits),
-- so a leave is a heap-only (HOT) update that writes no index entry: the cheapest write PostgreSQL
-- has (97.8-99.6% of them in the benchmark). At 70% full a page's free space would hold the new
-- versions of only about a third of its rows.
CREATE INDEX stream_view_started ON stream_view (account_id, started_at);

-- Audience sessions of each stream that joined and have not left, kept as a counter so the live
-- count costs nothing to read and nothing extra to write: a join adds one unless its leave was
-- applied first, a leave takes one away only if its join was applied.
CREATE TABLE live_viewers (
  account_id  TEXT   NOT NULL,
  stream_name TEXT   NOT NULL,
  viewers     BIGINT NOT NULL,
  PRIMARY KEY (account_id, stream_name)
);

-- Concurrent viewers summed over an account's streams (cluster '') and per cluster, per stats
-- instant; the account-wide peak of a bucket is the largest such sum.
CREATE TABLE concurrency (
  account_id TEXT        NOT NULL,
  cluster_id TEXT        NOT NULL,
  at         TIMESTAMPTZ NOT NULL,
  viewers    BIGINT      NOT NULL,
  PRIMARY KEY (account_id, cluster_id, at)
);

-- Traffic aggregates. res: 'm' minute, 'h' hour, 'd' day buckets. grp says which dimensions a row
-- is broken down by (the others are ''):
--   A account | S stream | K cluster | C country | G stream x country | T stream x tracking id
-- Every counter is additive except peak_viewers (a maximum, only for A, S and K rows).
CREATE TABLE traffic (
  account_id          TEXT        NOT NULL,
  res                 CHAR(1)     NOT NULL,
  grp                 CHAR(1)     NOT NULL,
  bucket              TIMESTAMPTZ NOT NULL,
  stream_name         TEXT        NOT NULL,
  tracking_id         TEXT        NOT NULL,
  country             TEXT        NOT NULL,
  cluster_id          TEXT        NOT NULL,
  bytes_in            BIGINT      NOT NULL DEFAULT 0,
  bytes_out           BIGINT      NOT NULL DEFAULT 0,
  session_bytes_out   BIGINT      NOT NULL DEFAULT 0,
  viewer_sessions     BIGINT      NOT NULL DEFAULT 0,
  sessions_ended      BIGINT      NOT NULL DEFAULT 0,
  view_seconds        BIGINT      NOT NULL DEFAULT 0,
  peak_viewers        BIGINT      NOT NULL DEFAULT 0,
  streams_started     BIGINT      NOT NULL DEFAULT 0,
  streams_ended       BIGINT      NOT NULL DEFAULT 0,
  feeds_started       BIGINT      NOT NULL DEFAULT 0,
  feeds_ended         BIGINT      NOT NULL DEFAULT 0,
  publish_seconds     BIGINT      NOT NULL DEFAULT 0,
  feed_bytes_in       BIGINT      NOT NULL DEFAULT 0,
  publisher_failures  BIGINT      NOT NULL DEFAULT 0,
  source_switches     BIGINT      NOT NULL DEFAULT 0,
  recordings_started  BIGINT      NOT NULL DEFAULT 0,
  recordings_completed BIGINT     NOT NULL DEFAULT 0,
  recordings_failed   BIGINT      NOT NULL DEFAULT 0,
  recording_seconds   BIGINT      NOT NULL DEFAULT 0,
  recording_bytes     BIGINT      NOT NULL DEFAULT 0,
  restreams_started   BIGINT      NOT NULL DEFAULT 0,
  restreams_failed    BIGINT      NOT NULL DEFAULT 0,
  restream_seconds    BIGINT      NOT NULL DEFAULT 0,
  restream_bytes_out  BIGINT      NOT NULL DEFAULT 0,
  -- Dimensions before the bucket: a stream's (or the account's) series is one index range.
  PRIMARY KEY (account_id, res, grp, stream_name, tracking_id, country, cluster_id, bucket)
) WITH (fillfactor = 70);
-- Counters are not indexed and pages keep free space, so adding to a row is a HOT update.
-- Tracking-id answers name the tracking id without the stream.
CREATE INDEX traffic_tracking ON traffic (account_id, res, tracking_id, bucket) WHERE grp = 'T';
