-- tally schema 2: LLM spans and traces, votes, conversations, model prices
-- and the LLM rollups. Times are integer milliseconds since the epoch (UTC);
-- money is integer nano-dollars (1e-9 USD).

-- One row per span; an LLM call is a span with a model. Deduplicated on
-- (project, trace, span). cost_nusd is the verified cost when priced = 1,
-- else the client's estimate (0 when it sent none).
CREATE TABLE spans (
  id              INTEGER PRIMARY KEY,
  project_id      INTEGER NOT NULL,
  trace_id        TEXT NOT NULL,
  span_id         TEXT NOT NULL,
  parent_span_id  TEXT,
  name            TEXT,
  session_id      TEXT,
  user_id         TEXT,
  feature         TEXT,
  conversation_id TEXT,
  turn_id         TEXT,
  provider        TEXT,
  model           TEXT,
  input_tokens    INTEGER NOT NULL DEFAULT 0,
  output_tokens   INTEGER NOT NULL DEFAULT 0,
  cached_tokens   INTEGER NOT NULL DEFAULT 0,
  start_ts        INTEGER NOT NULL,
  end_ts          INTEGER NOT NULL,
  latency_ms      REAL NOT NULL,
  cost_nusd       INTEGER NOT NULL DEFAULT 0,
  estimated_nusd  INTEGER,               -- what the client sent; NULL: nothing
  priced          INTEGER NOT NULL DEFAULT 0,
  status          INTEGER NOT NULL DEFAULT 0,   -- 0 ok, 1 error
  error           TEXT,
  input           TEXT,
  output          TEXT,
  metadata        TEXT,
  simhash         INTEGER,               -- of input, for near-duplicate prompts
  received_at     INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX spans_project_trace ON spans(project_id, trace_id, span_id);
CREATE INDEX spans_project_ts ON spans(project_id, start_ts);
CREATE INDEX spans_project_feature_model ON spans(project_id, feature, model, input_tokens)
  WHERE model IS NOT NULL;
CREATE INDEX spans_project_ratio ON spans(project_id, start_ts)
  WHERE model IS NOT NULL AND input_tokens > 10 * output_tokens;
-- Calls with prompt text, for near-duplicate clusters (few calls carry text).
CREATE INDEX spans_project_text ON spans(project_id, start_ts)
  WHERE model IS NOT NULL AND simhash IS NOT NULL;

-- Trace totals, kept current by every span insert whatever the order.
CREATE TABLE traces (
  project_id    INTEGER NOT NULL,
  trace_id      TEXT NOT NULL,
  name          TEXT,
  session_id    TEXT,
  user_id       TEXT,
  feature       TEXT,
  model         TEXT,
  start_ts      INTEGER NOT NULL,
  end_ts        INTEGER NOT NULL,
  spans         INTEGER NOT NULL DEFAULT 0,
  calls         INTEGER NOT NULL DEFAULT 0,
  input_tokens  INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cached_tokens INTEGER NOT NULL DEFAULT 0,
  cost_nusd     INTEGER NOT NULL DEFAULT 0,
  errors        INTEGER NOT NULL DEFAULT 0,
  metadata      TEXT,
  PRIMARY KEY (project_id, trace_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX traces_project_start ON traces(project_id, start_ts);
CREATE INDEX traces_project_session ON traces(project_id, session_id, start_ts)
  WHERE session_id IS NOT NULL;
CREATE INDEX traces_project_user ON traces(project_id, user_id, start_ts)
  WHERE user_id IS NOT NULL;

-- Feedback (Bilan votes). value is -1/+1 or a score; > 0 counts as positive.
CREATE TABLE votes (
  id              INTEGER PRIMARY KEY,
  project_id      INTEGER NOT NULL,
  ts              INTEGER NOT NULL,
  received_at     INTEGER NOT NULL,
  value           REAL NOT NULL,
  comment         TEXT,
  turn_id         TEXT,
  trace_id        TEXT,
  user_id         TEXT,
  conversation_id TEXT,
  message_id      TEXT NOT NULL,
  mid_hash        INTEGER NOT NULL
) STRICT;
CREATE INDEX votes_project_ts ON votes(project_id, ts, value, user_id);
CREATE INDEX votes_project_user ON votes(project_id, user_id, ts, value) WHERE user_id IS NOT NULL;
CREATE INDEX votes_project_mid ON votes(project_id, mid_hash);
CREATE INDEX votes_project_trace ON votes(project_id, trace_id) WHERE trace_id IS NOT NULL;
CREATE INDEX votes_project_turn ON votes(project_id, turn_id) WHERE turn_id IS NOT NULL;
CREATE INDEX votes_project_conversation ON votes(project_id, conversation_id)
  WHERE conversation_id IS NOT NULL;

-- Conversations (Bilan conversationId; an LLM call's sessionId when it has none).
CREATE TABLE conversations (
  project_id      INTEGER NOT NULL,
  conversation_id TEXT NOT NULL,
  user_id         TEXT,
  first_ts        INTEGER NOT NULL,
  last_ts         INTEGER NOT NULL,
  turns           INTEGER NOT NULL DEFAULT 0,
  calls           INTEGER NOT NULL DEFAULT 0,
  cost_nusd       INTEGER NOT NULL DEFAULT 0,
  votes_up        INTEGER NOT NULL DEFAULT 0,
  votes_down      INTEGER NOT NULL DEFAULT 0,
  models          TEXT NOT NULL DEFAULT '[]',   -- JSON array, first seen first
  PRIMARY KEY (project_id, conversation_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX conversations_project_last ON conversations(project_id, last_ts);
CREATE INDEX conversations_project_user ON conversations(project_id, user_id, last_ts)
  WHERE user_id IS NOT NULL;

-- Which conversation a turn belongs to: counts each turn once, and lets a
-- vote on a turn reach its conversation.
CREATE TABLE conversation_turns (
  project_id      INTEGER NOT NULL,
  turn_id         TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  PRIMARY KEY (project_id, turn_id)
) STRICT, WITHOUT ROWID;

-- Model prices in nano-dollars per million tokens (so $0.15 is 150000000).
-- project_id 0: the shipped/global table; a project's own rows win over it.
-- pattern is a glob on the model name ('gpt-4o-mini*'); the longest
-- matching pattern wins, then the latest effective_from not after the call.
CREATE TABLE model_prices (
  id             INTEGER PRIMARY KEY,
  project_id     INTEGER NOT NULL DEFAULT 0,
  provider       TEXT NOT NULL,
  pattern        TEXT NOT NULL,
  input_nusd     INTEGER NOT NULL CHECK (input_nusd >= 0),
  output_nusd    INTEGER NOT NULL CHECK (output_nusd >= 0),
  cached_nusd    INTEGER NOT NULL CHECK (cached_nusd >= 0),
  effective_from INTEGER NOT NULL,
  source_date    TEXT NOT NULL DEFAULT '',
  UNIQUE (project_id, provider, pattern, effective_from)
) STRICT;

-- LLM rollups, written in the transaction of the raw rows. grain 0 is an
-- hour, 1 a UTC day (bucket: its start). dims says which key columns are
-- set: 0 the project's total (all ''), 1 feature × model × provider,
-- 2 user. The histograms are tally's sparse bucket format (app/llm/hist.c).
CREATE TABLE llm_rollup (
  project_id    INTEGER NOT NULL,
  dims          INTEGER NOT NULL,
  grain         INTEGER NOT NULL,
  bucket        INTEGER NOT NULL,
  feature       TEXT NOT NULL DEFAULT '',
  model         TEXT NOT NULL DEFAULT '',
  provider      TEXT NOT NULL DEFAULT '',
  user_id       TEXT NOT NULL DEFAULT '',
  calls         INTEGER NOT NULL DEFAULT 0,
  input_tokens  INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cached_tokens INTEGER NOT NULL DEFAULT 0,
  cost_nusd     INTEGER NOT NULL DEFAULT 0,
  errors        INTEGER NOT NULL DEFAULT 0,
  latency_sum   REAL NOT NULL DEFAULT 0,
  latency_hist  BLOB NOT NULL DEFAULT x'',
  input_hist    BLOB NOT NULL DEFAULT x'',
  PRIMARY KEY (project_id, dims, grain, bucket, feature, model, provider, user_id)
) STRICT, WITHOUT ROWID;

-- Sessions are read across events too.
CREATE INDEX events_project_session ON events(project_id, session_id, ts)
  WHERE session_id IS NOT NULL;
