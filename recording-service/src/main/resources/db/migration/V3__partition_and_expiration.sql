-- The Kafka partition of the stream a recording belongs to (the partition of its feed-started
-- record; every stream topic is keyed by stream id with the same partition count). The instance
-- Kafka assigns that partition owns the recording; the lease stays the fence between writers.
alter table media_asset add column stream_partition int;

create index media_asset_partition on media_asset (stream_partition) where status = 'processing';

-- When a finished asset is deleted by the retention job (beamline.recording.retention.keep after
-- it stopped); null = kept until deleted through the API.
alter table media_asset add column expiration timestamptz;

create index media_asset_expiration on media_asset (expiration)
  where expiration is not null and status in ('complete', 'error');
