/* sq_sql: every fixed SQL statement of the SQLite backend, in one place. */
#include "sq.h"

/* A sum of tokens or nano-dollars held at INT64_MAX: SQLite turns an
 * overflowing integer sum into a REAL, which a STRICT INTEGER column refuses,
 * and one absurd call would then block a project's LLM ingest. */
#define SAT(a, b) "min(" a " + " b ", 9223372036854775807)"

/* A project row as row_project (sq_keys.c) reads it; NULL settings read as -1. */
#define SQ_PROJECT_COLUMNS \
	"p.id, p.slug, p.name, p.created_at, coalesce(p.retention_days, -1), " \
	"coalesce(p.rate_limit_per_min, -1), coalesce(p.rate_limit_per_ip_per_min, -1), " \
	"coalesce(p.rate_limit_project_per_min, -1), coalesce(p.allowed_origins, '[]')"

const char *const sq_sql[SQ__COUNT] = {
	[SQ_BEGIN] = "BEGIN IMMEDIATE",
	[SQ_COMMIT] = "COMMIT",
	[SQ_ROLLBACK] = "ROLLBACK",
	[SQ_SAVEPOINT] = "SAVEPOINT job",
	[SQ_RELEASE] = "RELEASE job",
	[SQ_ROLLBACK_TO] = "ROLLBACK TO job",
	[SQ_PING] = "SELECT count(*) FROM projects",

	[SQ_PROJECT_INSERT] =
	    "INSERT INTO projects(slug, name, created_at) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT(slug) DO NOTHING",
	[SQ_PROJECT_BY_SLUG] =
	    "SELECT " SQ_PROJECT_COLUMNS " FROM projects p WHERE slug = ?1",
	[SQ_PROJECT_LIST] =
	    "SELECT " SQ_PROJECT_COLUMNS " FROM projects p ORDER BY id",
	[SQ_PROJECT_BY_ID] =
	    "SELECT " SQ_PROJECT_COLUMNS " FROM projects p WHERE id = ?1",
	/* ?n IS NULL for a field left alone is told apart by a flag: NULL is also "the server's" */
	[SQ_PROJECT_UPDATE] =
	    "UPDATE projects SET "
	    "name = CASE WHEN ?2 IS NULL THEN name ELSE ?2 END, "
	    "retention_days = CASE WHEN ?3 THEN ?4 ELSE retention_days END, "
	    "rate_limit_per_min = CASE WHEN ?5 THEN ?6 ELSE rate_limit_per_min END, "
	    "rate_limit_per_ip_per_min = CASE WHEN ?7 THEN ?8 ELSE rate_limit_per_ip_per_min END, "
	    "rate_limit_project_per_min = CASE WHEN ?9 THEN ?10 ELSE rate_limit_project_per_min END, "
	    "allowed_origins = CASE WHEN ?11 IS NULL THEN allowed_origins ELSE ?11 END "
	    "WHERE id = ?1",

	[SQ_ACCOUNT_INSERT] =
	    "INSERT INTO accounts(email, password_hash, created_at) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT(email) DO NOTHING",
	[SQ_ACCOUNT_BY_EMAIL] =
	    "SELECT id, email, created_at, password_hash FROM accounts WHERE email = ?1",
	[SQ_ACCOUNT_BY_ID] =
	    "SELECT id, email, created_at FROM accounts WHERE id = ?1",
	[SQ_MEMBER_ROLE] =
	    "SELECT role FROM memberships WHERE account_id = ?1 AND project_id = ?2",
	[SQ_MEMBER_LIST] =
	    "SELECT m.account_id, a.email, m.role, m.created_at FROM memberships m "
	    "JOIN accounts a ON a.id = m.account_id WHERE m.project_id = ?1 ORDER BY a.email",
	[SQ_MEMBER_UPSERT] =
	    "INSERT INTO memberships(account_id, project_id, role, created_at) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT(account_id, project_id) DO UPDATE SET role = excluded.role",
	[SQ_MEMBER_DELETE] =
	    "DELETE FROM memberships WHERE account_id = ?1 AND project_id = ?2",
	[SQ_MEMBER_OWNERS] =
	    "SELECT count(*) FROM memberships WHERE project_id = ?1 AND role = 3",
	[SQ_ACCOUNT_PROJECTS] =
	    "SELECT " SQ_PROJECT_COLUMNS ", m.role "
	    "FROM memberships m JOIN projects p ON p.id = m.project_id "
	    "WHERE m.account_id = ?1 ORDER BY p.slug",
	[SQ_LOGIN_FAILURES] =
	    "SELECT failures, last_at FROM login_failures WHERE scope = ?1",
	[SQ_LOGIN_FAILURE_ADD] =
	    "INSERT INTO login_failures(scope, failures, last_at) VALUES (?1, 1, ?2) "
	    "ON CONFLICT(scope) DO UPDATE SET "
	    "failures = CASE WHEN last_at <= ?3 THEN 1 ELSE failures + 1 END, last_at = ?2 "
	    "RETURNING failures",
	[SQ_LOGIN_FAILURES_CLEAR] =
	    "DELETE FROM login_failures WHERE scope = ?1",
	[SQ_LOGIN_FAILURES_EXPIRE] =
	    "DELETE FROM login_failures WHERE last_at <= ?1",
	[SQ_LOGIN_FAILURE_UNDO] =
	    "UPDATE login_failures SET failures = failures - 1, last_at = max(?2, 0) "
	    "WHERE scope = ?1 AND failures > 0",

	[SQ_KEY_INSERT] =
	    "INSERT INTO api_keys(project_id, kind, name, prefix, hash, created_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[SQ_KEY_LIST] =
	    "SELECT k.id, k.project_id, k.kind, k.prefix, k.name, k.created_at, "
	    "k.last_used_at, k.revoked_at, p.slug FROM api_keys k "
	    "JOIN projects p ON p.id = k.project_id WHERE k.project_id = ?1 ORDER BY k.id",
	[SQ_KEY_LIST_ALL] =
	    "SELECT k.id, k.project_id, k.kind, k.prefix, k.name, k.created_at, "
	    "k.last_used_at, k.revoked_at, p.slug FROM api_keys k "
	    "JOIN projects p ON p.id = k.project_id ORDER BY k.id",
	[SQ_KEY_REVOKE] =
	    "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL "
	    "AND (?3 = 0 OR project_id = ?3)",
	[SQ_KEY_AUTH] =
	    "SELECT k.id, k.project_id, k.kind, k.last_used_at, p.slug, p.ip_anonymize, "
	    "coalesce(p.rate_limit_per_min, -1), coalesce(p.rate_limit_per_ip_per_min, -1), "
	    "coalesce(p.rate_limit_project_per_min, -1), coalesce(p.allowed_origins, '[]') FROM api_keys k "
	    "JOIN projects p ON p.id = k.project_id "
	    "WHERE k.hash = ?1 AND k.revoked_at IS NULL",
	[SQ_KEY_TOUCH] =
	    "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1",

	[SQ_EVENT_DEDUP] =
	    "SELECT message_id, received_at FROM events "
	    "WHERE project_id = ?1 AND mid_hash = ?2",
	[SQ_EVENT_INSERT] =
	    "INSERT INTO events(project_id, type, event, user_id, anonymous_id, session_id, "
	    "ts, received_at, message_id, mid_hash, properties, context, traits, group_id, "
	    "previous_id, conversation_id, turn_id, shop_id, request_id, ip, name_key, user_key) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
	    "?17, ?18, ?19, ?20, ?21, ?22)",

	[SQ_PROFILE_MERGE] =
	    "INSERT INTO profiles(project_id, user_id, traits, created_at, updated_at) "
	    "VALUES (?1, ?2, coalesce(?3, '{}'), ?4, ?4) "
	    "ON CONFLICT(project_id, user_id) DO UPDATE SET "
	    "traits = json_patch(traits, excluded.traits), updated_at = excluded.updated_at",
	[SQ_ALIAS_LINK] =
	    "INSERT INTO aliases(project_id, alias, user_id, created_at) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT(project_id, alias) DO NOTHING",

	[SQ_USER_ALIASES] =
	    "SELECT alias FROM aliases WHERE project_id = ?1 AND user_id = ?2 ORDER BY created_at, alias",
	[SQ_USER_PROFILE] =
	    "SELECT traits FROM profiles WHERE project_id = ?1 AND user_id = ?2",
	/* a user's events: under its id or any linked id, as userId or anonymousId */
	[SQ_USER_EVENT_STATS] =
	    "WITH ids(id) AS (SELECT ?2 UNION SELECT alias FROM aliases "
	    "WHERE project_id = ?1 AND user_id = ?2) "
	    "SELECT count(*), min(ts), max(ts) FROM events WHERE project_id = ?1 "
	    "AND (user_id IN ids OR anonymous_id IN ids)",
	[SQ_USER_DEL_EVENTS] =
	    "WITH ids(id) AS (SELECT ?2 UNION SELECT alias FROM aliases "
	    "WHERE project_id = ?1 AND user_id = ?2) "
	    "DELETE FROM events WHERE project_id = ?1 "
	    "AND (user_id IN ids OR anonymous_id IN ids)",
	[SQ_USER_DEL_PROFILE] =
	    "WITH ids(id) AS (SELECT ?2 UNION SELECT alias FROM aliases "
	    "WHERE project_id = ?1 AND user_id = ?2) "
	    "DELETE FROM profiles WHERE project_id = ?1 AND user_id IN ids",
	/* the user tables retention reads; the rollups' counts and sketches are
	 * anonymous sums and stay */
	[SQ_USER_DEL_FIRST] =
	    "WITH ids(id) AS (SELECT ?2 UNION SELECT alias FROM aliases "
	    "WHERE project_id = ?1 AND user_id = ?2) "
	    "DELETE FROM user_first WHERE project_id = ?1 AND user_key IN ids",
	[SQ_USER_DEL_WEEKS] =
	    "WITH ids(id) AS (SELECT ?2 UNION SELECT alias FROM aliases "
	    "WHERE project_id = ?1 AND user_id = ?2) "
	    "DELETE FROM user_weeks WHERE project_id = ?1 AND user_key IN ids",
	[SQ_USER_DEL_ALIASES] =
	    "DELETE FROM aliases WHERE project_id = ?1 AND (user_id = ?2 OR alias = ?2)",

	/* ---- LLM spans (sq_llm_write.c) ---- */
	[SQ_SPAN_INSERT] =
	    "INSERT INTO spans(project_id, trace_id, span_id, parent_span_id, name, session_id, "
	    "user_id, feature, conversation_id, turn_id, provider, model, input_tokens, "
	    "output_tokens, cached_tokens, start_ts, end_ts, latency_ms, cost_nusd, estimated_nusd, "
	    "priced, status, error, input, output, metadata, simhash, received_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
	    "?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28) "
	    "ON CONFLICT(project_id, trace_id, span_id) DO NOTHING",
	/* ?17: these spans name the trace (a root span, or the trace's own name); ?18 how many */
	[SQ_TRACE_UPSERT] =
	    "INSERT INTO traces(project_id, trace_id, name, session_id, user_id, feature, model, "
	    "start_ts, end_ts, spans, calls, input_tokens, output_tokens, cached_tokens, cost_nusd, "
	    "errors, metadata) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?18, ?10, ?11, ?12, ?13, "
	    "?14, ?15, ?16) "
	    "ON CONFLICT(project_id, trace_id) DO UPDATE SET "
	    "name = CASE WHEN ?17 AND excluded.name IS NOT NULL THEN excluded.name "
	    "ELSE coalesce(traces.name, excluded.name) END, "
	    "session_id = coalesce(traces.session_id, excluded.session_id), "
	    "user_id = coalesce(traces.user_id, excluded.user_id), "
	    "feature = coalesce(traces.feature, excluded.feature), "
	    "model = coalesce(traces.model, excluded.model), "
	    "start_ts = min(traces.start_ts, excluded.start_ts), "
	    "end_ts = max(traces.end_ts, excluded.end_ts), "
	    "spans = traces.spans + excluded.spans, calls = traces.calls + excluded.calls, "
	    "input_tokens = " SAT("traces.input_tokens", "excluded.input_tokens") ", "
	    "output_tokens = " SAT("traces.output_tokens", "excluded.output_tokens") ", "
	    "cached_tokens = " SAT("traces.cached_tokens", "excluded.cached_tokens") ", "
	    "cost_nusd = " SAT("traces.cost_nusd", "excluded.cost_nusd") ", "
	    "errors = traces.errors + excluded.errors, "
	    "metadata = coalesce(excluded.metadata, traces.metadata)",
	[SQ_ROLLUP_UPSERT] =
	    "INSERT INTO llm_rollup(project_id, dims, grain, bucket, feature, model, provider, "
	    "user_id, calls, input_tokens, output_tokens, cached_tokens, cost_nusd, errors, "
	    "latency_sum, latency_hist, input_hist) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	    "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) "
	    "ON CONFLICT DO UPDATE SET calls = calls + excluded.calls, "
	    "input_tokens = " SAT("input_tokens", "excluded.input_tokens") ", "
	    "output_tokens = " SAT("output_tokens", "excluded.output_tokens") ", "
	    "cached_tokens = " SAT("cached_tokens", "excluded.cached_tokens") ", "
	    "cost_nusd = " SAT("cost_nusd", "excluded.cost_nusd") ", errors = errors + excluded.errors, "
	    "latency_sum = latency_sum + excluded.latency_sum, "
	    "latency_hist = tally_hist_add(latency_hist, excluded.latency_hist), "
	    "input_hist = tally_hist_add(input_hist, excluded.input_hist)",
	[SQ_CONV_UPSERT] =
	    "INSERT INTO conversations(project_id, conversation_id, user_id, first_ts, last_ts, "
	    "turns, calls, cost_nusd, models) VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, "
	    "CASE WHEN ?8 IS NULL THEN '[]' ELSE json_array(?8) END) "
	    "ON CONFLICT(project_id, conversation_id) DO UPDATE SET "
	    "user_id = coalesce(conversations.user_id, excluded.user_id), "
	    "first_ts = min(first_ts, excluded.first_ts), last_ts = max(last_ts, excluded.last_ts), "
	    "turns = turns + excluded.turns, calls = calls + excluded.calls, "
	    "cost_nusd = " SAT("cost_nusd", "excluded.cost_nusd") ", "
	    "models = CASE WHEN ?8 IS NULL OR EXISTS (SELECT 1 FROM json_each(conversations.models) "
	    "WHERE value = ?8) THEN conversations.models "
	    "ELSE json_insert(conversations.models, '$[#]', ?8) END",
	[SQ_CONV_TURN] =
	    "INSERT INTO conversation_turns(project_id, turn_id, conversation_id) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT DO NOTHING",
	[SQ_CONV_OF_TURN] =
	    "SELECT conversation_id FROM conversation_turns WHERE project_id = ?1 AND turn_id = ?2",
	[SQ_CONV_OF_TRACE] =
	    "SELECT session_id FROM traces WHERE project_id = ?1 AND trace_id = ?2",
	[SQ_CONV_VOTE] =
	    "UPDATE conversations SET votes_up = votes_up + ?3, votes_down = votes_down + ?4 "
	    "WHERE project_id = ?1 AND conversation_id = ?2",
	[SQ_VOTE_DEDUP] =
	    "SELECT message_id, received_at FROM votes WHERE project_id = ?1 AND mid_hash = ?2",
	[SQ_VOTE_INSERT] =
	    "INSERT INTO votes(project_id, ts, received_at, value, comment, turn_id, trace_id, "
	    "user_id, conversation_id, message_id, mid_hash) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",

	/* ---- prices (sq_prices.c) ---- */
	[SQ_PRICE_LIST] =
	    "SELECT id, project_id, provider, pattern, input_nusd, output_nusd, cached_nusd, "
	    "effective_from, source_date FROM model_prices WHERE project_id IN (0, ?1) "
	    "ORDER BY project_id, provider, pattern, effective_from",
	[SQ_PRICE_LIST_ALL] =
	    "SELECT id, project_id, provider, pattern, input_nusd, output_nusd, cached_nusd, "
	    "effective_from, source_date FROM model_prices "
	    "ORDER BY project_id, provider, pattern, effective_from",
	[SQ_PRICE_UPSERT] =
	    "INSERT INTO model_prices(project_id, provider, pattern, input_nusd, output_nusd, "
	    "cached_nusd, effective_from, source_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
	    "ON CONFLICT(project_id, provider, pattern, effective_from) DO UPDATE SET "
	    "input_nusd = excluded.input_nusd, output_nusd = excluded.output_nusd, "
	    "cached_nusd = excluded.cached_nusd, source_date = excluded.source_date",
	[SQ_PRICE_DELETE] =
	    "DELETE FROM model_prices WHERE id = ?1",
	[SQ_REPRICE_SCAN] =
	    "SELECT id, project_id, trace_id, user_id, feature, model, provider, coalesce("
	    "conversation_id, session_id), input_tokens, output_tokens, cached_tokens, start_ts, "
	    "cost_nusd, estimated_nusd, priced FROM spans "
	    "WHERE project_id = ?1 AND start_ts >= ?2 AND start_ts < ?3 AND id > ?4 "
	    "AND model IS NOT NULL ORDER BY id LIMIT ?5",
	[SQ_REPRICE_SCAN_ALL] =
	    "SELECT id, project_id, trace_id, user_id, feature, model, provider, coalesce("
	    "conversation_id, session_id), input_tokens, output_tokens, cached_tokens, start_ts, "
	    "cost_nusd, estimated_nusd, priced FROM spans "
	    "WHERE start_ts >= ?2 AND start_ts < ?3 AND id > ?4 "
	    "AND model IS NOT NULL ORDER BY id LIMIT ?5",
	[SQ_SPAN_SET_COST] =
	    "UPDATE spans SET cost_nusd = ?2, priced = ?3 WHERE id = ?1",
	[SQ_TRACE_ADD_COST] =
	    "UPDATE traces SET cost_nusd = " SAT("cost_nusd", "?3") " WHERE project_id = ?1 AND trace_id = ?2",
	[SQ_CONV_ADD_COST] =
	    "UPDATE conversations SET cost_nusd = " SAT("cost_nusd", "?3") " "
	    "WHERE project_id = ?1 AND conversation_id = ?2",
	[SQ_ROLLUP_ADD_COST] =
	    "UPDATE llm_rollup SET cost_nusd = " SAT("cost_nusd", "?9") " WHERE project_id = ?1 AND dims = ?2 "
	    "AND grain = ?3 AND bucket = ?4 AND feature = ?5 AND model = ?6 AND provider = ?7 "
	    "AND user_id = ?8",

	[SQ_EROLLUP_UPSERT] =
	    "INSERT INTO event_rollup(project_id, grain, dim, event, bucket, value, events, users, "
	    "sessions) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
	    "ON CONFLICT DO UPDATE SET events = events + excluded.events, "
	    "users = tally_hll_union(users, excluded.users), "
	    "sessions = tally_hll_union(sessions, excluded.sessions)",
	[SQ_USER_FIRST_UPSERT] =
	    "INSERT INTO user_first(project_id, user_key, first_ts) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT DO UPDATE SET first_ts = excluded.first_ts WHERE excluded.first_ts < first_ts",
	[SQ_USER_WEEK_INSERT] =
	    "INSERT OR IGNORE INTO user_weeks(project_id, user_key, week) VALUES (?1, ?2, ?3)",
	/* export pages: (ts, id) > (after) walks events_project_ts in order (its
	 * entries end with the rowid), so no sort, and each page starts where
	 * the last one stopped */
	[SQ_EVENT_SCAN] =
	    "SELECT " SQ_EVENT_COLUMNS " FROM events WHERE project_id = ?1 "
	    "AND (ts, id) > (?2, ?3) AND ts < ?4 ORDER BY ts, id LIMIT ?5",
	/* sq_rebuild.c */
	[SQ_REBUILD_CLEAR_ROLLUP] = "DELETE FROM event_rollup WHERE project_id = ?1",
	[SQ_REBUILD_CLEAR_FIRST] = "DELETE FROM user_first WHERE project_id = ?1",
	[SQ_REBUILD_CLEAR_WEEKS] = "DELETE FROM user_weeks WHERE project_id = ?1",
	[SQ_REBUILD_CLEAR_NAMES] = "DELETE FROM event_names WHERE project_id = ?1",
	[SQ_REBUILD_LAST_ID] = "SELECT coalesce(max(id), 0) FROM events WHERE project_id = ?1",
	[SQ_REBUILD_PAGE] =
	    "SELECT " SQ_EVENT_COLUMNS " FROM events WHERE project_id = ?1 AND id > ?2 AND id <= ?3 "
	    "ORDER BY id LIMIT ?4",
	[SQ_EROLLUP_READ] =
	    "SELECT bucket, value, events, users, sessions FROM event_rollup WHERE project_id = ?1 "
	    "AND grain = ?2 AND dim = ?3 AND event = ?4 AND bucket >= ?5 AND bucket < ?6",
	[SQ_EROLLUP_READ_USERS] =
	    "SELECT bucket, value, events, users, NULL FROM event_rollup WHERE project_id = ?1 "
	    "AND grain = ?2 AND dim = ?3 AND event = ?4 AND bucket >= ?5 AND bucket < ?6",
	[SQ_EROLLUP_READ_SESSIONS] =
	    "SELECT bucket, value, events, NULL, sessions FROM event_rollup WHERE project_id = ?1 "
	    "AND grain = ?2 AND dim = ?3 AND event = ?4 AND bucket >= ?5 AND bucket < ?6",
	[SQ_EROLLUP_READ_COUNTS] =
	    "SELECT bucket, value, events FROM event_rollup WHERE project_id = ?1 "
	    "AND grain = ?2 AND dim = ?3 AND event = ?4 AND bucket >= ?5 AND bucket < ?6",
	[SQ_EROLLUP_EVENTS] =
	    "SELECT event FROM event_names WHERE project_id = ?1 AND dim = ?2",
	[SQ_EVENT_NAME_INSERT] =
	    "INSERT OR IGNORE INTO event_names(project_id, dim, event) VALUES (?1, ?2, ?3)",
	[SQ_EVENT_MINUTES] =
	    "SELECT ts - ts % 60000 AS m, count(*), count(DISTINCT user_key), "
	    "count(DISTINCT session_id) FROM events WHERE project_id = ?1 AND ts >= ?2 AND ts < ?3 "
	    "GROUP BY m ORDER BY m",
	[SQ_EVENT_MINUTES_OF] =
	    "SELECT ts - ts % 60000 AS m, count(*), count(DISTINCT user_key), "
	    "count(DISTINCT session_id) FROM events WHERE project_id = ?1 AND ts >= ?2 AND ts < ?3 "
	    "AND name_key = ?4 GROUP BY m ORDER BY m",

	/* ---- insights ---- */
	/* a second generation for the same period replaces the row in place: its id stays */
	[SQ_INSIGHT_UPSERT] =
	    "INSERT INTO insights(project_id, kind, subject, period_start, period_end, created_at, "
	    "title, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
	    "ON CONFLICT(project_id, kind, subject, period_start) DO UPDATE SET "
	    "period_end = excluded.period_end, created_at = excluded.created_at, "
	    "title = excluded.title, data = excluded.data RETURNING id",
	/* ?5: a JSON array of the ids the generation wrote */
	[SQ_INSIGHT_PRUNE] =
	    "DELETE FROM insights WHERE project_id = ?1 AND kind = ?2 AND period_start >= ?3 "
	    "AND period_start < ?4 AND id NOT IN (SELECT value FROM json_each(?5))",
	/* NULL parameters are filters not asked for */
	[SQ_INSIGHT_LIST] =
	    "SELECT id, kind, subject, period_start, period_end, created_at, title, data "
	    "FROM insights WHERE project_id = ?1 AND (?2 IS NULL OR kind = ?2) "
	    "AND (?3 IS NULL OR period_start >= ?3) AND (?4 IS NULL OR period_start < ?4) "
	    "AND (?5 IS NULL OR created_at < ?5 OR (created_at = ?5 AND id < ?6)) "
	    "ORDER BY created_at DESC, id DESC LIMIT ?7",
};
