-- What a feed carries, read from the media node's /stat once media flows: the HLS master playlist
-- (simulcast renditions, alternate audio) is built from it.
alter table feed add column video_codec varchar(32);
alter table feed add column audio_codec varchar(32);
alter table feed add column video_width integer;
alter table feed add column video_height integer;
alter table feed add column bandwidth bigint;
