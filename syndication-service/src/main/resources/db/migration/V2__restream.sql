-- Restream targets of one stream (targets of a publish token live in token-service), the live
-- streams this service has heard of, and the restream jobs that push them to their targets.

CREATE TABLE restream_target (
  id          UUID          PRIMARY KEY,
  account_id  VARCHAR(128)  NOT NULL,
  stream_name VARCHAR(128)  NOT NULL,
  url         VARCHAR(2048) NOT NULL,
  stream_key  VARCHAR(512)  NOT NULL,
  label       VARCHAR(2048),
  enabled     BOOLEAN       NOT NULL,
  created_at  TIMESTAMPTZ   NOT NULL,
  updated_at  TIMESTAMPTZ   NOT NULL
);
CREATE INDEX restream_target_stream ON restream_target (account_id, stream_name);

-- One row per stream id: what the stream events said last. partition_no is the Kafka partition
-- of the stream's key, which decides which instance owns its jobs.
CREATE TABLE restream_stream (
  stream_id     VARCHAR(300) PRIMARY KEY,
  account_id    VARCHAR(128) NOT NULL,
  stream_name   VARCHAR(128) NOT NULL,
  partition_no  INT          NOT NULL,
  token_id      BIGINT,
  live          BOOLEAN      NOT NULL,
  restream      BOOLEAN      NOT NULL,
  live_sequence BIGINT       NOT NULL,
  end_sequence  BIGINT       NOT NULL,
  started_at    TIMESTAMPTZ,
  ended_at      TIMESTAMPTZ,
  updated_at    TIMESTAMPTZ  NOT NULL
);
CREATE INDEX restream_stream_token ON restream_stream (token_id) WHERE live;

-- One push of one stream session to one target. owner/lease_until: the instance running it; the
-- owner of the stream's partition claims it (after a crash or rebalance too).
CREATE TABLE restream_job (
  id            UUID          PRIMARY KEY,
  account_id    VARCHAR(128)  NOT NULL,
  stream_id     VARCHAR(300)  NOT NULL,
  stream_name   VARCHAR(128)  NOT NULL,
  partition_no  INT           NOT NULL,
  target_id     VARCHAR(100)  NOT NULL,
  token_id      BIGINT,
  label         VARCHAR(2048),
  url           VARCHAR(2048) NOT NULL,
  stream_key    VARCHAR(512)  NOT NULL,
  state         VARCHAR(20)   NOT NULL,
  attempt       INT           NOT NULL,
  last_error    VARCHAR(500),
  stop_reason   VARCHAR(100),
  owner         VARCHAR(200),
  lease_until   TIMESTAMPTZ,
  bytes_out     BIGINT        NOT NULL,
  pushed_ms     BIGINT        NOT NULL,
  created_at    TIMESTAMPTZ   NOT NULL,
  live_at       TIMESTAMPTZ,
  ended_at      TIMESTAMPTZ,
  updated_at    TIMESTAMPTZ   NOT NULL
);
CREATE INDEX restream_job_stream ON restream_job (account_id, stream_name, created_at);
CREATE INDEX restream_job_active ON restream_job (partition_no)
  WHERE state IN ('pending', 'connecting', 'live', 'retrying');
-- At most one active job per stream and target: a repeated sync cannot double a broadcast.
CREATE UNIQUE INDEX restream_job_one_active ON restream_job (stream_id, target_id)
  WHERE state IN ('pending', 'connecting', 'live', 'retrying');
