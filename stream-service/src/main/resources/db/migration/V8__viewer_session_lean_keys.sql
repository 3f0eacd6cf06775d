-- A join is one viewer_session row; each of its index entries is written with it (the viewer-join
-- benchmark measured about 30 us of PostgreSQL time per row). RTMP sessions carry no grant, but the
-- unique constraint indexed their NULLs too: only HLS sessions and egress readers have one.
alter table viewer_session drop constraint viewer_session_grant_id_key;
create unique index viewer_session_grant on viewer_session (grant_id) where grant_id is not null;
