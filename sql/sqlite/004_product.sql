-- tally schema 4: product analytics (SPEC §5.3): event rollups with
-- HyperLogLog sketches, the user tables retention reads, funnel index,
-- insights.

-- Every event carries the name it is counted under and its user, written
-- at insert (sq_rollup.c event_key()/user_key()): a track event's name or
-- the type's own name; userId, else anonymousId, else sessionId (the shop
-- tracker sends only a session). Real columns, not generated ones: SQLite
-- reads an index on generated columns through the table, and funnels must
-- be answered from the index alone.
ALTER TABLE events ADD COLUMN name_key TEXT;
ALTER TABLE events ADD COLUMN user_key TEXT;
UPDATE events SET
  name_key = CASE type WHEN 0 THEN event WHEN 1 THEN '$pageview' WHEN 2 THEN '$screen'
                       WHEN 3 THEN '$identify' WHEN 4 THEN '$group' ELSE '$alias' END,
  user_key = coalesce(user_id, anonymous_id, session_id);
CREATE INDEX events_project_name_ts ON events(project_id, name_key, ts, user_key);

-- Counts per project × grain (0 hour, 1 day, 2 week from Monday; UTC) × dimension × event ×
-- bucket × value, kept in the same transaction as the raw rows.
--   dim ''         value ''   : every event (event '') or one event name
--   dim 'url'      page URL without query and fragment
--   dim 'referrer' referring host ('' when direct)
--   dim 'shop'     shopId
--   dim 'p.KEY'    a scalar top-level property (per event name only)
-- url, referrer and shop rows exist per event name and for event ''.
-- users/sessions: HyperLogLog sketches (app/core/hll.c) of distinct user
-- keys and session ids; empty blob: none.
CREATE TABLE event_rollup (
  project_id INTEGER NOT NULL,
  grain      INTEGER NOT NULL,
  dim        TEXT NOT NULL,
  event      TEXT NOT NULL,
  bucket     INTEGER NOT NULL,
  value      TEXT NOT NULL,
  events     INTEGER NOT NULL DEFAULT 0,
  users      BLOB NOT NULL DEFAULT x'',
  sessions   BLOB NOT NULL DEFAULT x'',
  PRIMARY KEY (project_id, grain, dim, event, bucket, value)
) STRICT, WITHOUT ROWID;

-- Retention: when each user was first seen, and the weeks (Monday 00:00
-- UTC) in which they did anything.
CREATE TABLE user_first (
  project_id INTEGER NOT NULL,
  user_key   TEXT NOT NULL,
  first_ts   INTEGER NOT NULL,
  PRIMARY KEY (project_id, user_key)
) STRICT, WITHOUT ROWID;
CREATE INDEX user_first_project_ts ON user_first(project_id, first_ts);

CREATE TABLE user_weeks (
  project_id INTEGER NOT NULL,
  user_key   TEXT NOT NULL,
  week       INTEGER NOT NULL,
  PRIMARY KEY (project_id, user_key, week)
) STRICT, WITHOUT ROWID;
CREATE INDEX user_weeks_project_week ON user_weeks(project_id, week);

-- Users of events stored before this schema.
INSERT INTO user_first(project_id, user_key, first_ts)
  SELECT project_id, user_key, min(ts) FROM events WHERE user_key IS NOT NULL
  GROUP BY project_id, user_key;
INSERT OR IGNORE INTO user_weeks(project_id, user_key, week)
  SELECT project_id, user_key, ts - ts % 86400000 - ((ts / 86400000 + 3) % 7) * 86400000
  FROM events WHERE user_key IS NOT NULL;

-- Insights (SPEC §5.3). One row per (project, kind, subject, period): a
-- second generation for the same period replaces it, so generating is
-- repeatable.
CREATE TABLE insights (
  id           INTEGER PRIMARY KEY,
  project_id   INTEGER NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('summary', 'trend', 'anomaly')),
  subject      TEXT NOT NULL,
  period_start INTEGER NOT NULL,
  period_end   INTEGER NOT NULL,
  created_at   INTEGER NOT NULL,
  title        TEXT NOT NULL,
  data         TEXT NOT NULL,          -- JSON object: the numbers behind the title
  UNIQUE (project_id, kind, subject, period_start)
) STRICT;
CREATE INDEX insights_project_created ON insights(project_id, created_at);
