-- tally schema 1: projects, API keys, events, user profiles, aliases.
-- Times are integer milliseconds since the epoch (UTC).

CREATE TABLE projects (
  id                 INTEGER PRIMARY KEY,
  slug               TEXT NOT NULL UNIQUE,
  name               TEXT NOT NULL,
  created_at         INTEGER NOT NULL,
  retention_days     INTEGER,            -- NULL: the server's retention_days
  rate_limit_per_min INTEGER,            -- NULL: the server's rate_limit_per_min
  allowed_origins    TEXT,               -- JSON array; NULL: none
  ip_anonymize       INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Keys are stored as SHA-256 hex of the whole key plus a short visible prefix.
CREATE TABLE api_keys (
  id           INTEGER PRIMARY KEY,
  project_id   INTEGER NOT NULL REFERENCES projects(id),
  kind         INTEGER NOT NULL CHECK (kind IN (1, 2)),   -- 1 ingest, 2 secret
  name         TEXT NOT NULL DEFAULT '',
  prefix       TEXT NOT NULL,
  hash         TEXT NOT NULL UNIQUE,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
) STRICT;
CREATE INDEX api_keys_project ON api_keys(project_id);

-- Every message of every dialect. mid_hash is a 64-bit hash of message_id:
-- the dedup index stays 8 bytes wide, and the text is compared on a hit.
-- request_id is 16 bytes when nginx's 32-hex $request_id, else text.
CREATE TABLE events (
  id              INTEGER PRIMARY KEY,
  project_id      INTEGER NOT NULL,
  type            INTEGER NOT NULL,      -- 0 track 1 page 2 screen 3 identify 4 group 5 alias
  event           TEXT,
  user_id         TEXT,
  anonymous_id    TEXT,
  session_id      TEXT,
  ts              INTEGER NOT NULL,      -- event time
  received_at     INTEGER NOT NULL,
  message_id      TEXT NOT NULL,
  mid_hash        INTEGER NOT NULL,
  properties      TEXT,
  context         TEXT,
  traits          TEXT,
  group_id        TEXT,
  previous_id     TEXT,
  conversation_id TEXT,
  turn_id         TEXT,
  shop_id         TEXT,
  request_id      ANY,
  ip              TEXT
) STRICT;
CREATE INDEX events_project_ts ON events(project_id, ts);
CREATE INDEX events_project_mid ON events(project_id, mid_hash);
CREATE INDEX events_project_user ON events(project_id, user_id, ts) WHERE user_id IS NOT NULL;
CREATE INDEX events_project_anon ON events(project_id, anonymous_id, ts) WHERE anonymous_id IS NOT NULL;

-- Traits merged by identify (JSON merge patch, later values win).
CREATE TABLE profiles (
  project_id INTEGER NOT NULL,
  user_id    TEXT NOT NULL,
  traits     TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (project_id, user_id)
) STRICT, WITHOUT ROWID;

-- Ids linked to a user: alias (previousId) and identify (anonymousId).
CREATE TABLE aliases (
  project_id INTEGER NOT NULL,
  alias      TEXT NOT NULL,
  user_id    TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (project_id, alias)
) STRICT, WITHOUT ROWID;
CREATE INDEX aliases_user ON aliases(project_id, user_id);
