-- tally schema 6: accounts, their project memberships, login failures, and
-- the per-project rate limits beside the existing per-key one.

-- NULL: the server's setting (rate_limit_per_ip_per_min, rate_limit_project_per_min).
ALTER TABLE projects ADD COLUMN rate_limit_per_ip_per_min INTEGER;
ALTER TABLE projects ADD COLUMN rate_limit_project_per_min INTEGER;

-- email is stored lower-cased; password_hash is a crypt(3) string ($y$ or $2b$).
-- AUTOINCREMENT: a login token names its account by id, so an id is never
-- given again, even after the newest account is deleted.
CREATE TABLE accounts (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  email         TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE memberships (
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  project_id INTEGER NOT NULL REFERENCES projects(id),
  role       INTEGER NOT NULL CHECK (role IN (1, 2, 3)),   -- 1 viewer 2 admin 3 owner
  created_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, project_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX memberships_project ON memberships(project_id, account_id);

-- Failed logins per scope ("email:<sha256>", "ip:<address>"): the brute-force
-- backoff of docs/auth.md. A success clears the email's row.
CREATE TABLE login_failures (
  scope    TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  last_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
