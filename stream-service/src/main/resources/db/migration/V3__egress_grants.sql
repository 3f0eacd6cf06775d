-- Egress grants (issue #6/#7): recording and restream workers pull a stream through the media node
-- like viewers, with a single-use grant for one source that is bound to no client address.
alter table media_grant add column source_id varchar(128);
alter table media_grant alter column client_ip drop not null;
