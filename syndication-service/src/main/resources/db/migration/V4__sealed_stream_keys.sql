-- Stream keys are credentials: they are kept sealed (AES-256-GCM with the versioned master key,
-- beamline.syndication.secrets.*) instead of in plain text. The service seals the plain keys of
-- older rows at startup (it alone has the master key) and clears stream_key; new rows never set it.

ALTER TABLE restream_target
  ADD COLUMN stream_key_sealed  BYTEA,
  ADD COLUMN stream_key_version INT,
  ADD COLUMN key_hint           VARCHAR(8),
  ALTER COLUMN stream_key DROP NOT NULL;

ALTER TABLE restream_job
  ADD COLUMN stream_key_sealed  BYTEA,
  ADD COLUMN stream_key_version INT,
  ALTER COLUMN stream_key DROP NOT NULL;

-- Every row has either its sealed key or (until the startup pass) its legacy plain one.
ALTER TABLE restream_target ADD CONSTRAINT restream_target_key_present
  CHECK (stream_key_sealed IS NOT NULL OR stream_key IS NOT NULL);
ALTER TABLE restream_job ADD CONSTRAINT restream_job_key_present
  CHECK (stream_key_sealed IS NOT NULL OR stream_key IS NOT NULL);
