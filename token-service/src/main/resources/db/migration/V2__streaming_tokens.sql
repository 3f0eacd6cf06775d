-- Publish and subscribe tokens (reference API sections 1 and 2) in one table: both kinds share one
-- id sequence, so a token id alone names a token, and the authorisation index loads with one scan.
CREATE TABLE streaming_token (
  id                       BIGSERIAL     PRIMARY KEY,
  -- PUBLISH or SUBSCRIBE
  kind                     VARCHAR(16)   NOT NULL,
  account_id               VARCHAR(64)   NOT NULL REFERENCES account (id),
  label                    VARCHAR(128)  NOT NULL,
  -- The secret string (64 hex chars), AES-256-GCM sealed: 12-byte IV || ciphertext || 16-byte tag.
  secret_sealed            BYTEA         NOT NULL,
  -- Version of the master key that sealed secret_sealed and restream_sealed (rotation-ready).
  secret_key_version       INTEGER       NOT NULL,
  -- SHA-256 of the secret's ASCII bytes: finds a token by its opaque secret without decrypting.
  secret_digest            BYTEA         NOT NULL,
  added_on                 TIMESTAMPTZ   NOT NULL,
  expires_on               TIMESTAMPTZ,
  is_active                BOOLEAN       NOT NULL DEFAULT TRUE,
  -- JSON array of {"streamName": string, "isRegex": boolean}
  streams                  JSONB         NOT NULL DEFAULT '[]',
  -- JSON arrays of strings
  allowed_origins          JSONB         NOT NULL DEFAULT '[]',
  allowed_ip_addresses     JSONB         NOT NULL DEFAULT '[]',
  bind_ips_on_usage        INTEGER,
  allowed_countries        JSONB         NOT NULL DEFAULT '[]',
  denied_countries         JSONB         NOT NULL DEFAULT '[]',
  origin_cluster           VARCHAR(128),
  -- Publish tokens only (false/null for subscribe tokens)
  subscribe_requires_auth  BOOLEAN       NOT NULL DEFAULT FALSE,
  record                   BOOLEAN       NOT NULL DEFAULT FALSE,
  multisource              BOOLEAN       NOT NULL DEFAULT TRUE,
  priority                 INTEGER,
  -- Publish tokens only: JSON array of {"url","key","label","enabled"}, sealed like the secret
  -- because stream keys of partner platforms are credentials too. NULL = no targets.
  restream_sealed          BYTEA,
  -- Publish tokens only: true when at least one restream target is enabled (the decision's flag).
  restream_enabled         BOOLEAN       NOT NULL DEFAULT FALSE,
  -- Subscribe tokens only: partner tracking id, set at create only.
  tracking_id              VARCHAR(128),
  -- Grows with every change; copied into token-created/-updated/-revoked events.
  revision                 BIGINT        NOT NULL DEFAULT 1,
  updated_at               TIMESTAMPTZ   NOT NULL,
  -- Soft delete: the row stays so that pollers see the deletion; the API answers 404.
  deleted_at               TIMESTAMPTZ,
  -- Set once the expiry job has published token-revoked (reason expired) for this expires_on.
  expiry_announced         BOOLEAN       NOT NULL DEFAULT FALSE,
  CONSTRAINT streaming_token_kind CHECK (kind IN ('PUBLISH', 'SUBSCRIBE'))
);
CREATE INDEX streaming_token_account ON streaming_token (account_id, kind, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX streaming_token_digest ON streaming_token (secret_digest);
CREATE INDEX streaming_token_updated ON streaming_token (updated_at);
CREATE INDEX streaming_token_expiring ON streaming_token (expires_on)
  WHERE expires_on IS NOT NULL AND NOT expiry_announced AND deleted_at IS NULL;

-- Account-wide geo defaults (reference /api/v3/account/security): inherited by tokens that set
-- neither allowedCountries nor deniedCountries. No row = no restriction.
CREATE TABLE account_security (
  account_id         VARCHAR(64)  PRIMARY KEY REFERENCES account (id),
  allowed_countries  JSONB        NOT NULL DEFAULT '[]',
  denied_countries   JSONB        NOT NULL DEFAULT '[]',
  revision           BIGINT       NOT NULL DEFAULT 1,
  updated_at         TIMESTAMPTZ  NOT NULL
);
CREATE INDEX account_security_updated ON account_security (updated_at);
