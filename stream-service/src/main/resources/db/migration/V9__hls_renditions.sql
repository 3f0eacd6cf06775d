-- How each HLS rendition of a stream is numbered across changes of feed (failover,
-- reprioritisation): decided once by whichever instance sees the change first, so that every
-- instance serving the node's playlists numbers the same segment the same way.
create table hls_rendition (
  stream_id varchar(200) not null,
  rendition varchar(200) not null,
  feed_id varchar(40) not null,
  sequence_offset bigint not null,
  first_feed_sequence bigint not null,
  switch_sequence bigint not null,
  discontinuities bigint not null,
  updated_at timestamptz not null default now(),
  primary key (stream_id, rendition)
);
