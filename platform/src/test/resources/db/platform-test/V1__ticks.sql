-- A toy domain for the platform's own tests: ticks are the state change, received ticks the effect.
CREATE TABLE tick (
  id    UUID PRIMARY KEY,
  label VARCHAR(200) NOT NULL
);

-- No unique key on event_id on purpose: a double delivery must show up as a duplicate row.
CREATE TABLE received_tick (
  row_id   BIGSERIAL PRIMARY KEY,
  event_id UUID NOT NULL,
  label    VARCHAR(200) NOT NULL
);

CREATE TABLE tick_counter (
  name  VARCHAR(50) PRIMARY KEY,
  value BIGINT NOT NULL
);
INSERT INTO tick_counter (name, value) VALUES ('received', 0);
