-- State of the authorisation decision that every instance must agree on (package authorize).

-- bindIpsOnUsage: the addresses a token was bound to on first use. The primary key and a
-- per-token advisory lock make two instances agree on the first N addresses.
CREATE TABLE token_ip_binding (
  token_id  BIGINT      NOT NULL,
  address   VARCHAR(64) NOT NULL,
  bound_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (token_id, address)
);

-- Beyond the reference: a subscribe token's viewer cap and single-use viewer credentials.
CREATE TABLE subscribe_token_viewer_policy (
  token_id                  BIGINT      PRIMARY KEY,
  account_id                VARCHAR(64) NOT NULL,
  max_concurrent_viewers    INT,
  single_use_viewer_tokens  BOOLEAN     NOT NULL DEFAULT false,
  updated_at                TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX subscribe_token_viewer_policy_updated ON subscribe_token_viewer_policy (updated_at);

-- Viewer sessions whose media has started (reported by stream-service), counted against the cap.
CREATE TABLE viewer_session (
  viewer_session_id  VARCHAR(128) PRIMARY KEY,
  token_id           BIGINT       NOT NULL,
  viewer_token_id    VARCHAR(200),
  started_at         TIMESTAMPTZ  NOT NULL DEFAULT now(),
  ended_at           TIMESTAMPTZ
);
CREATE INDEX viewer_session_live ON viewer_session (token_id, started_at) WHERE ended_at IS NULL;

-- Single-use viewer credentials that have started media once; the primary key makes it once.
CREATE TABLE consumed_viewer_token (
  viewer_token_id    VARCHAR(200) PRIMARY KEY,
  token_id           BIGINT       NOT NULL,
  viewer_session_id  VARCHAR(128),
  consumed_at        TIMESTAMPTZ  NOT NULL DEFAULT now()
);
