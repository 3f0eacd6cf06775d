-- Bytes each RTMP player of a feed has received, summed over the node's /stat readings (nginx-rtmp
-- counts bytes per stream, not per client). A viewer session remembers the value when it joined and
-- is credited the difference when it ends. Before, every reading added each player's share to every
-- live RTMP session of the feed: one row rewrite per viewer every few seconds (measured in the
-- viewer-join benchmark: 200,000 live sessions cost about 7 s of PostgreSQL CPU per reading). Now a
-- reading updates one row per feed. Sessions live at this migration keep what they were credited so
-- far and are credited the rest from the counter, which starts at zero.
alter table feed add column player_bytes_out bigint not null default 0;
alter table viewer_session add column feed_player_bytes_at_join bigint not null default 0;
