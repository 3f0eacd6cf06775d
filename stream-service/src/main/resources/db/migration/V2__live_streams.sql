-- Live streams, their feeds (publisher connections) and viewer sessions (issue #4).

-- One row per stream ever seen (accountId/streamName). The row outlives each live session: its
-- sequence numbers every event of the stream and never restarts.
create table live_stream (
  id varchar(200) primary key,
  account_id varchar(64) not null,
  stream_name varchar(128) not null,
  state varchar(16) not null,
  sequence bigint not null default 0,
  cluster_id varchar(64),
  token_id bigint,
  secure boolean not null default false,
  started_at timestamptz,
  ended_at timestamptz,
  bytes_in bigint not null default 0,
  updated_at timestamptz not null
);
create index live_stream_account on live_stream (account_id, state, updated_at desc);

-- One publisher connection. media_key is the name the media node knows it by (the feed id);
-- media_client_id the node's connection id, which every callback carries.
create table feed (
  id varchar(40) primary key,
  stream_id varchar(200) not null references live_stream (id),
  account_id varchar(64) not null,
  token_id bigint not null,
  source_id varchar(128),
  priority integer,
  simulcast_id varchar(128),
  media_node_id varchar(64) not null,
  media_client_id varchar(32) not null,
  protocol varchar(16) not null,
  client_ip varchar(64),
  client_country varchar(2),
  record boolean not null,
  restream boolean not null,
  state varchar(16) not null,
  started_at timestamptz not null,
  ended_at timestamptz,
  end_reason varchar(32),
  bytes_in bigint not null default 0
);
create index feed_live_by_stream on feed (stream_id) where state = 'live';
create index feed_live_by_client on feed (media_node_id, media_client_id) where state = 'live';
create index feed_live_by_token on feed (token_id) where state = 'live';

-- One viewer session: an RTMP play (keyed by the node's client id) or an HLS session (keyed by
-- the id of the media JWT in its URLs).
create table viewer_session (
  id varchar(64) primary key,
  stream_id varchar(200) not null references live_stream (id),
  account_id varchar(64) not null,
  feed_id varchar(40),
  token_id bigint,
  tracking_id varchar(128),
  client_country varchar(2),
  protocol varchar(16) not null,
  media_node_id varchar(64) not null,
  media_client_id varchar(32),
  grant_id varchar(64) unique,
  internal_reader boolean not null default false,
  state varchar(16) not null,
  joined_at timestamptz not null,
  left_at timestamptz,
  end_reason varchar(32),
  bytes_out bigint not null default 0
);
create index viewer_live_by_stream on viewer_session (stream_id) where state = 'live';
create index viewer_live_by_client on viewer_session (media_node_id, media_client_id) where state = 'live';
create index viewer_live_by_token on viewer_session (token_id) where state = 'live';

-- What a media JWT grants. RTMP URLs carry at most 256 characters of query string (nginx-rtmp's
-- NGX_RTMP_MAX_ARGS), so the JWT holds only its id, action and expiry, and the grant lives here.
create table media_grant (
  id varchar(40) primary key,
  action varchar(16) not null,
  account_id varchar(64) not null,
  stream_name varchar(128) not null,
  client_ip varchar(64) not null,
  token_id bigint,
  tracking_id varchar(128),
  client_country varchar(2),
  record boolean not null,
  multisource boolean not null,
  secure boolean not null,
  priority integer,
  viewer_token_id varchar(200),
  expires_at timestamptz not null,
  created_at timestamptz not null
);
create index media_grant_expiry on media_grant (expires_at);
