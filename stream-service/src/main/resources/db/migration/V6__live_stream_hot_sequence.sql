-- Every viewer join group and viewer leave takes numbers from its stream's row. Those updates now
-- touch only `sequence`, which no index covers, so PostgreSQL can make them HOT updates (new row
-- version on the same page, no new index entries). Before, they also set `updated_at`, which
-- live_stream_account covers: each update added an entry to both indexes, and a stream with a crowd
-- of viewers left thousands of dead versions of its one row that every next update had to step
-- over (measured: most of PostgreSQL's CPU in a viewer-join storm). `updated_at` now records the
-- stream's own changes (feeds, start, end, stats), not its viewers'.
-- Room on each page for the new versions HOT needs.
alter table live_stream set (fillfactor = 50);
