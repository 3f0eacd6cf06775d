-- Viewer sessions older than the viewer-session max age count for nothing (ViewerSessionRetention
-- deletes them); found by their start.
CREATE INDEX viewer_session_started ON viewer_session (started_at);
