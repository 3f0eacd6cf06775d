-- Media assets (v3 API) and the objects that hold them.
--
-- A recording asset is written as one or more segments: normally one, a new one each time the
-- worker has to start ffmpeg again (publisher reconnect, failover, takeover after a crash). Each
-- segment is one object in the bucket, written by one multipart upload whose uploaded parts are
-- recorded as they complete, so another instance can complete the upload after a crash.

create table media_asset (
  id uuid primary key,
  account_id text not null,
  type text not null,
  status text not null,
  stream_id text not null,
  stream_name text not null,
  token_id bigint not null,
  source_id text,
  -- source_id with the main source as '' so the one-recording-per-source rule can be an index.
  source_key text not null,
  feed_id text,
  name text,
  start_time timestamptz not null,
  stop_time timestamptz,
  size_bytes bigint not null default 0,
  duration_seconds double precision,
  metadata text,
  error text,
  owner text,
  lease_until timestamptz,
  last_live_at timestamptz,
  -- Set when the stream ended for good (stopped, revoked): no reconnect window.
  end_requested boolean not null default false,
  created timestamptz not null,
  removed timestamptz,
  version bigint not null default 0
);

create unique index media_asset_one_recording_per_source
  on media_asset (stream_id, source_key) where status = 'processing';
create index media_asset_account on media_asset (account_id, created);
create index media_asset_lease on media_asset (lease_until) where status = 'processing';

create table media_segment (
  id uuid primary key,
  asset_id uuid not null references media_asset (id) on delete cascade,
  seq int not null,
  object_key text not null,
  upload_id text,
  status text not null,
  size_bytes bigint not null default 0,
  duration_seconds double precision,
  started_at timestamptz not null,
  completed_at timestamptz
);

create unique index media_segment_seq on media_segment (asset_id, seq);
create unique index media_segment_object on media_segment (object_key);

create table media_segment_part (
  segment_id uuid not null references media_segment (id) on delete cascade,
  part_number int not null,
  etag text not null,
  size_bytes bigint not null,
  primary key (segment_id, part_number)
);
