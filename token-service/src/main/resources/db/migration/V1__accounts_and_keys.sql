-- Accounts own everything else; API keys are JWTs whose jti is api_key.id.
CREATE TABLE account (
  id         VARCHAR(64)  PRIMARY KEY,
  name       VARCHAR(200) NOT NULL,
  created_at TIMESTAMPTZ  NOT NULL DEFAULT now()
);

CREATE TABLE api_key (
  id             BIGSERIAL    PRIMARY KEY,
  account_id     VARCHAR(64)  NOT NULL REFERENCES account (id),
  label          VARCHAR(200) NOT NULL,
  scopes         VARCHAR(1000) NOT NULL,
  signing_key_id VARCHAR(64)  NOT NULL,
  created_at     TIMESTAMPTZ  NOT NULL,
  expires_at     TIMESTAMPTZ  NOT NULL,
  revoked_at     TIMESTAMPTZ,
  revoke_reason  VARCHAR(50),
  replaced_by    BIGINT,
  revision       BIGINT       NOT NULL DEFAULT 1
);
CREATE INDEX api_key_account ON api_key (account_id, id);

-- Asymmetric keys that sign API keys. The private half is encrypted with the service's master key.
CREATE TABLE signing_key (
  kid                 VARCHAR(64)  PRIMARY KEY,
  algorithm           VARCHAR(10)  NOT NULL,
  public_key          TEXT         NOT NULL,
  private_key_sealed  BYTEA        NOT NULL,
  created_at          TIMESTAMPTZ  NOT NULL,
  retired_at          TIMESTAMPTZ,
  -- Retired keys stay in the JWKS until every API key they signed has expired.
  verify_until        TIMESTAMPTZ
);
