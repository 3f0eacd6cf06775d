-- Ended viewer sessions are deleted after the history retention (HistoryRetention): found by when
-- they ended. Only ended rows are in the index, and a row enters it once, when its session ends.
create index viewer_session_ended on viewer_session (left_at) where state = 'ended';
