-- When any instance last saw an HLS session's player ask for something. HLS has no connection to
-- watch: each instance that serves a session's requests records what it saw every few seconds, and
-- an instance ends the session for idleness only when no instance saw it for the idle timeout.
-- Not indexed, so that recording it can stay a heap-only update.
alter table viewer_session add column last_seen_at timestamptz;
