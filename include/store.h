/*
 * store: the only door to persistent data. Handlers and tallyctl call these
 * functions; no SQL exists outside app/store/. The backend is chosen by the
 * `database` setting (a path: SQLite; postgresql://…: PostgreSQL, later).
 *
 * Threads: one struct store per process, shared by its threads. Every call
 * is thread-safe. Writes are durable when the call returns 0 (group commit:
 * concurrent callers share one transaction, led by one of them; each returns
 * after it commits).
 * Return values: 0 success, -1 storage failure (logged; answer 503), and where
 * said, 1 for "not found" / "already exists".
 */
#ifndef TALLY_STORE_H
#define TALLY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "cfg.h"
#include "event.h"
#include "llm.h"
#include "price.h"

struct store;

enum store_mode {
	STORE_CLI,      /* writes run in the calling thread */
	STORE_WORKER,   /* concurrent writes share transactions (group commit) */
};

/* Opens the database named by cfg->database. Returns NULL with err set. */
struct store *store_open(const struct cfg *cfg, enum store_mode mode, char *err, size_t errlen);
/* Closes; writes queued without a waiter (last_used_at) may be dropped. NULL-safe. */
void store_close(struct store *st);

/* Applies every migration not yet applied; *applied counts them. */
int store_migrate(struct store *st, int *applied, char *err, size_t errlen);
/* Latest applied migration and the latest this build knows. */
int store_schema_version(struct store *st, int *current, int *latest);
/* A cheap round trip to the database, for /api/health. */
int store_ping(struct store *st);

/* ---- projects and keys ---- */
struct project {
	int64_t id;
	char slug[64];
	char name[200];
	int64_t created_ms;
	/* the project's own settings; -1: the server's (tally.conf) applies */
	int64_t retention_days;
	int64_t rate_limit_per_min;             /* per API key */
	int64_t rate_limit_per_ip_per_min;      /* per ingest key and client address */
	int64_t rate_limit_project_per_min;     /* every caller of the project together */
	char allowed_origins[1024];             /* JSON array of origins; "[]" for none */
};
typedef int (*store_project_cb)(void *ctx, const struct project *p);

/* 1 when the slug is taken. */
int store_project_create(struct store *st, const char *slug, const char *name, struct project *out);
/* 1 when there is no such project. */
int store_project_get(struct store *st, const char *slug, struct project *out);
int store_project_list(struct store *st, store_project_cb cb, void *ctx);

/* A change to a project's settings; fields not set stay as they are. */
struct project_update {
	const char *name;                       /* NULL: unchanged */
	int set_retention, set_rate_key, set_rate_ip, set_rate_project;
	int64_t retention_days, rate_limit_per_min, rate_limit_per_ip_per_min,
	    rate_limit_project_per_min;        /* -1: back to the server's */
	const char *allowed_origins;            /* JSON array text; NULL: unchanged */
};
/*
 * Applies u and fills *out with the project as it now is. 1 when there is
 * no such project. Every process sees the new settings from its next
 * request (the key caches are emptied).
 */
int store_project_update(struct store *st, int64_t project_id, const struct project_update *u,
    struct project *out);

struct api_key {
	int64_t id, project_id;
	int kind;
	char prefix[KEY_PREFIX_LEN + 1];
	char name[200];
	char project_slug[64];
	int64_t created_ms, last_used_ms, revoked_ms;   /* 0: never */
};
typedef int (*store_key_cb)(void *ctx, const struct api_key *k);

/* Stores hash + prefix only; the key itself never reaches the store. */
int store_key_create(struct store *st, int64_t project_id, int kind, const char *name,
    const char *hash, const char *prefix, struct api_key *out);
/* project_id 0 lists every project's keys. */
int store_key_list(struct store *st, int64_t project_id, store_key_cb cb, void *ctx);
/* 1 when no such key (in that project, unless project_id is 0) or already revoked. */
int store_key_revoke(struct store *st, int64_t project_id, int64_t key_id);
/*
 * The hot path: the active key with that hash. 0 and *out filled, or 1 when
 * unknown or revoked. Each process caches keys it has seen; a revocation
 * through tally empties every cache, so it holds from the next request on
 * (a change made behind tally's back shows within a minute). last_used_at
 * is written at most once a minute per key, after the answer.
 */
int store_key_auth(struct store *st, const char *hash, struct auth_ctx *out);

/* ---- accounts, memberships, login failures (SPEC §2, §6; docs/auth.md) ---- */
struct account {
	int64_t id;
	char email[256];                /* lower-cased */
	int64_t created_ms;
};

/* 1 when the email is taken. password_hash is a crypt(3) string. */
int store_account_create(struct store *st, const char *email, const char *password_hash,
    struct account *out);
/* The account with that (lower-cased) email and its password hash (hashlen bytes); 1 when none. */
int store_account_by_email(struct store *st, const char *email, struct account *out,
    char *hash, size_t hashlen);
/* 1 when there is no such account. */
int store_account_get(struct store *st, int64_t account_id, struct account *out);

/* What a signup makes, in one transaction. */
struct signup {
	const char *email, *password_hash;
	const char *project_slug, *project_name;
	const char *ingest_hash, *ingest_prefix, *secret_hash, *secret_prefix;
};
/* Account, project (the account its owner), an ingest and a secret key. 1: email taken; 2: slug taken. */
int store_signup(struct store *st, const struct signup *in, struct account *account,
    struct project *project, struct api_key *ingest, struct api_key *secret);
/* A project owned by the account, in one transaction. 1 when the slug is taken. */
int store_project_create_owned(struct store *st, int64_t owner_id, const char *slug,
    const char *name, struct project *out);

struct member {
	int64_t account_id;
	char email[256];
	int role;                       /* enum role */
	int64_t created_ms;
};
typedef int (*store_member_cb)(void *ctx, const struct member *m);
/* The account's role in the project (ROLE_NONE when not a member). */
int store_member_role(struct store *st, int64_t account_id, int64_t project_id, int *role);
int store_members_list(struct store *st, int64_t project_id, store_member_cb cb, void *ctx);
/*
 * Adds the account to the project or changes its role. 1 when the account
 * does not exist; 2 when it would leave the project without an owner.
 */
int store_member_set(struct store *st, int64_t project_id, int64_t account_id, int role);
/* 1 when the account is not a member; 2 when it is the project's last owner. */
int store_member_remove(struct store *st, int64_t project_id, int64_t account_id);
/* The account's projects with its role in each, by slug. */
typedef int (*store_account_project_cb)(void *ctx, const struct project *p, int role);
int store_account_projects(struct store *st, int64_t account_id, store_account_project_cb cb,
    void *ctx);

/*
 * Failed logins of a scope (a hash of the email, or the client address):
 * how many in the current run and when the last was; 0 / 0 when none.
 */
int store_login_failures(struct store *st, const char *scope, int64_t *failures, int64_t *last_ms);
/* One more failure at now_ms; a run whose last failure is before fresh_after_ms starts again at 1. */
int store_login_failure_add(struct store *st, const char *scope, int64_t now_ms,
    int64_t fresh_after_ms, int64_t *failures);
int store_login_failures_clear(struct store *st, const char *scope);
/* One failure fewer (a claimed try given back), the last one's time back to last_ms; never below 0. */
int store_login_failure_undo(struct store *st, const char *scope, int64_t last_ms);
/* Forgets the scopes whose last failure is at or before before_ms (their run is over); *n counts them. */
int store_login_failures_expire(struct store *st, int64_t before_ms, int64_t *n);

/* ---- events ---- */
struct ingest_meta {
	int64_t project_id;
	int64_t received_ms;
	const char *request_id;
	const char *ip;                 /* already anonymised if the project asks */
};

/*
 * Stores n events in one transaction (shared with concurrent callers).
 * An event whose messageId the project already stored within the dedup
 * window is not stored again: dup[i] is set to 1 (dup may be NULL) and it
 * is counted in *duplicates. identify merges traits into the profile and
 * links anonymousId; alias links previousId to userId.
 */
int store_events_insert(struct store *st, const struct ingest_meta *meta,
    const struct event *evs, size_t n, unsigned char *dup,
    int64_t *accepted, int64_t *duplicates);

struct event_filter {
	int type;                       /* -1: any */
	const char *event, *user_id, *anonymous_id, *session_id;
	const char *conversation_id, *shop_id;
	int64_t from_ms, to_ms;         /* [from, to); 0: open */
	int limit;
	int has_cursor;
	int64_t cursor_ts, cursor_id;   /* the last row of the previous page */
};

struct event_row {
	int64_t id;
	int64_t received_ms;
	const char *request_id;
	struct event ev;
};
/* Rows newest first; strings borrowed for the duration of the callback. */
typedef int (*store_event_cb)(void *ctx, const struct event_row *row);
int store_events_list(struct store *st, int64_t project_id, const struct event_filter *f,
    store_event_cb cb, void *ctx);

/* ---- users ---- */
struct user_profile {
	const char *user_id;
	const char *traits;             /* JSON object text */
	int64_t first_seen_ms, last_seen_ms, event_count;
	const char *const *aliases;
	size_t naliases;
};
typedef int (*store_user_cb)(void *ctx, const struct user_profile *u);
/* 1 when the project has neither a profile nor events for that user. */
int store_user_get(struct store *st, int64_t project_id, const char *user_id,
    store_user_cb cb, void *ctx);

struct user_erase_counts {
	int64_t events, profiles, aliases;
};
/* Erases the user's events (by userId, and by anonymousId for linked ids), profile and aliases. */
int store_user_delete(struct store *st, int64_t project_id, const char *user_id,
    struct user_erase_counts *out);

/* ---- LLM spans, votes, prices (SPEC §5) ---- */

/*
 * Stores n spans in one transaction: each (project, traceId, spanId) once
 * (a replay sets dup[i] and counts in *duplicates), prices LLM calls,
 * keeps the trace totals, conversations and rollups current. An event's
 * LLM call (ev->llm) is stored the same way by store_events_insert.
 */
int store_spans_insert(struct store *st, const struct ingest_meta *meta,
    const struct llm_span *spans, size_t n, unsigned char *dup,
    int64_t *accepted, int64_t *duplicates);

/* Stores votes; a messageId seen within the dedup window is a duplicate. */
int store_votes_insert(struct store *st, const struct ingest_meta *meta,
    const struct vote *votes, size_t n, int64_t *accepted, int64_t *duplicates);

typedef int (*store_price_cb)(void *ctx, const struct price *p);
/* project_id -1: every row; else that project's rows and the global ones. Ordered by provider, pattern, effective. */
int store_prices_list(struct store *st, int64_t project_id, store_price_cb cb, void *ctx);
/* Inserts or replaces the row of (project, provider, pattern, effective_ms). Calls priced from now on use it. */
int store_price_set(struct store *st, const struct price *p);
/* 1 when there is no such row. */
int store_price_delete(struct store *st, int64_t price_id);
/*
 * Prices again the LLM calls of [from, to) (project_id 0: every project)
 * with the current table, moving trace, conversation and rollup totals by
 * the difference. *changed counts the calls whose cost changed.
 */
int store_reprice(struct store *st, int64_t project_id, int64_t from_ms, int64_t to_ms,
    int64_t *changed);

/* ---- LLM reads ---- */
struct trace_filter {
	const char *session_id, *user_id, *feature, *model;
	int status;                     /* -1 any, else enum llm_status (any span errored) */
	int64_t from_ms, to_ms;         /* on the trace's start; 0: open */
	int limit;
	int has_cursor;                 /* keyset: the last row of the previous page */
	int64_t cursor_ts;
	const char *cursor_id;
};

struct trace_row {
	const char *trace_id, *name, *session_id, *user_id, *feature, *model, *metadata;
	int64_t start_ms, end_ms;
	int64_t spans, calls, input_tokens, output_tokens, cached_tokens, cost_nusd, errors;
};
typedef int (*store_trace_cb)(void *ctx, const struct trace_row *t);

struct span_row {
	int64_t id, received_ms, cost_nusd;
	int priced;
	struct llm_span sp;             /* estimated_nusd/has_estimate as the client sent */
};
typedef int (*store_span_cb)(void *ctx, const struct span_row *s);

struct vote_row {
	int64_t id;
	struct vote v;
};
typedef int (*store_vote_cb)(void *ctx, const struct vote_row *v);

/* Traces newest first (by start). */
int store_traces_list(struct store *st, int64_t project_id, const struct trace_filter *f,
    store_trace_cb cb, void *ctx);
/* The trace, then its spans by start time. 1 when the project has no such trace. */
int store_trace_get(struct store *st, int64_t project_id, const char *trace_id,
    store_trace_cb tcb, store_span_cb scb, void *ctx);
/*
 * A session: its traces, its events and the votes on them (by trace or by
 * turn), each in time order. 1 when nothing carries that session id.
 */
int store_session_get(struct store *st, int64_t project_id, const char *session_id,
    store_trace_cb tcb, store_event_cb ecb, store_vote_cb vcb, void *ctx);

/* Rollup reads: what to group by, at which time bucket, with which filters. */
enum llm_by { BY_NONE, BY_FEATURE, BY_MODEL, BY_PROVIDER, BY_USER, BY_FEATURE_MODEL };
enum llm_bucket { BUCKET_NONE, BUCKET_HOUR, BUCKET_DAY, BUCKET_WEEK };

struct llm_query {
	int64_t from_ms, to_ms;         /* [from, to), widened to whole hours */
	int by;                         /* enum llm_by */
	int bucket;                     /* enum llm_bucket (UTC; weeks start on Monday) */
	const char *feature, *model, *provider, *user_id;   /* exact filters; NULL: any */
	int hists;                      /* LLM_HIST_*: the histograms to merge (empty otherwise) */
};

#define LLM_HIST_LATENCY 1
#define LLM_HIST_INPUT 2

struct hist;
struct llm_agg {
	const char *key1, *key2;        /* the by values ("" when the call had none) */
	int64_t bucket_ms;
	int64_t calls, input_tokens, output_tokens, cached_tokens, cost_nusd, errors;
	double latency_sum;
	const struct hist *latency, *input;
};
typedef int (*store_llm_agg_cb)(void *ctx, const struct llm_agg *row);
/*
 * Sums the LLM rollups. Per-user rows carry no feature, model or provider:
 * by=user (or a userId filter) with one of those filters returns 2. They
 * are kept by UTC day: such a query covers the whole days its range
 * touches, and hour buckets return 3.
 */
int store_llm_aggregate(struct store *st, int64_t project_id, const struct llm_query *q,
    store_llm_agg_cb cb, void *ctx);

/* Raw LLM calls for the prompt analysis, newest first or largest first. */
enum calls_kind {
	CALLS_INPUT_ABOVE,              /* feature+model calls with input_tokens > min_input, largest first */
	CALLS_RATIO,                    /* input_tokens > 10 × output_tokens, newest first */
	CALLS_WITH_TEXT,                /* calls with input text (simhash set), newest first */
};
struct calls_query {
	int kind;                       /* enum calls_kind */
	int64_t from_ms, to_ms;
	const char *feature, *model;    /* CALLS_INPUT_ABOVE ("" is none) */
	int64_t min_input;
	int limit;
};
struct call_row {
	const char *trace_id, *span_id, *feature, *model, *input;
	int64_t input_tokens, output_tokens, start_ms;
	uint64_t simhash;
};
typedef int (*store_call_cb)(void *ctx, const struct call_row *c);
int store_llm_calls(struct store *st, int64_t project_id, const struct calls_query *q,
    store_call_cb cb, void *ctx);

/* The spans of the newest max_traces traces started in [from, to), trace by trace. */
int store_spans_of_recent_traces(struct store *st, int64_t project_id, int64_t from_ms,
    int64_t to_ms, int max_traces, store_span_cb cb, void *ctx);

/* Votes of [from, to) (user_id NULL: everybody's), oldest first. */
int store_votes_list(struct store *st, int64_t project_id, int64_t from_ms, int64_t to_ms,
    const char *user_id, store_vote_cb cb, void *ctx);

struct conversation_row {
	const char *conversation_id, *user_id, *models;     /* models: JSON array text */
	int64_t first_ms, last_ms, turns, calls, cost_nusd, votes_up, votes_down;
};
typedef int (*store_conversation_cb)(void *ctx, const struct conversation_row *c);
/* Conversations active in [from, to), latest activity first. */
int store_conversations_list(struct store *st, int64_t project_id, const char *user_id,
    int64_t from_ms, int64_t to_ms, int limit, store_conversation_cb cb, void *ctx);

struct realtime_totals {
	int64_t events, calls, cost_nusd, tokens, active_users;
	int64_t events_by_minute[5];    /* oldest first; [4] is the current minute */
};
/* Events and LLM calls whose time is in [since, now). */
int store_realtime(struct store *st, int64_t project_id, int64_t since_ms, int64_t now_ms,
    struct realtime_totals *out);

/* ---- product analytics (SPEC §5.3), from the event rollups ---- */

/*
 * Events are counted under a name: a track event's own, or "$pageview",
 * "$screen", "$identify", "$group", "$alias" for the other types. A user is
 * userId, else anonymousId, else sessionId.
 */
enum event_dim { EDIM_NONE, EDIM_EVENT, EDIM_URL, EDIM_REFERRER, EDIM_SHOP, EDIM_PROPERTY };
#define EQ_USERS 1
#define EQ_SESSIONS 2

struct event_query {
	int64_t from_ms, to_ms;         /* [from, to), widened to whole UTC hours */
	int dim;                        /* enum event_dim: what rows are grouped by */
	const char *property;           /* EDIM_PROPERTY: the top-level property key (≤ 64 bytes) */
	const char *event;              /* only this name; NULL: every event */
	int sketches;                   /* EQ_USERS | EQ_SESSIONS: the distinct counts wanted */
	/*
	 * The output bucket of a UTC hour (day, week) start; NULL: one bucket
	 * (0) for the whole range. whole_days: bucket_of never splits a UTC
	 * day, so day rows may stand for their 24 hours (far fewer rows to
	 * read); whole_weeks (with whole_days): nor a week from Monday 00:00 UTC.
	 */
	int64_t (*bucket_of)(void *ctx, int64_t utc_ms);
	void *bucket_ctx;
	int whole_days, whole_weeks;
};

struct hll;
struct event_agg {
	const char *key;                /* the dimension's value (the name for EDIM_EVENT); "" for none */
	int64_t bucket_ms;
	int64_t events, users, sessions;        /* users/sessions: estimates, when asked for */
	const struct hll *user_sketch, *session_sketch;  /* NULL when not asked for */
};
typedef int (*store_event_agg_cb)(void *ctx, const struct event_agg *row);
/*
 * Sums the rollups, ordered by bucket then key. Referrers are hosts ("" for
 * direct visits and the site's own pages); urls have no query or fragment;
 * properties are the scalar top-level ones (≤ 16 per event, values ≤ 100
 * bytes), per event name only.
 */
int store_event_aggregate(struct store *st, int64_t project_id, const struct event_query *q,
    store_event_agg_cb cb, void *ctx);
/*
 * Makes the project's event rollups and retention tables again from its
 * raw events (docs/product-analytics.md); *events counts those read. Ingest
 * may go on: each event is counted once, by the rebuild or by its insert.
 */
int store_rollups_rebuild(struct store *st, int64_t project_id, int64_t *events);
/* Per minute of [from, to) from the raw events, exact distinct counts; event NULL: every name. */
int store_event_minutes(struct store *st, int64_t project_id, const char *event, int64_t from_ms,
    int64_t to_ms, store_event_agg_cb cb, void *ctx);

/* ---- insights ---- */

/* One stored insight (SPEC §5.3); strings borrowed for the call. */
struct insight {
	int64_t id;                     /* set by store_insights_put */
	const char *kind;               /* "summary", "trend" or "anomaly" */
	const char *subject;            /* "daily", "event:signup", "cost", "events" … */
	int64_t period_start_ms, period_end_ms, created_ms;
	const char *title;
	const char *data;               /* a JSON object's text: the numbers behind the title */
};

/* The rows of one kind whose period starts in [from, to): what a generation covers. */
struct insight_scope {
	const char *kind;
	int64_t from_ms, to_ms;
};

/*
 * Stores one generation of a project's insights in one transaction: each
 * row is inserted or, when the project has one with the same (kind,
 * subject, period start), replaced in place (its id kept); rows[i].id is
 * set. Then every row of a scope that this call did not write is deleted:
 * what an earlier generation found for those periods and this one no
 * longer finds goes. Generating twice from the same data leaves the same rows.
 */
int store_insights_put(struct store *st, int64_t project_id, struct insight *rows, size_t n,
    const struct insight_scope *scopes, size_t nscopes);

struct insight_filter {
	const char *kind;               /* NULL: any */
	int64_t from_ms, to_ms;         /* on the period start, [from, to); 0: open */
	int limit;
	int has_cursor;                 /* keyset: the last row of the previous page */
	int64_t cursor_created, cursor_id;
};
typedef int (*store_insight_cb)(void *ctx, const struct insight *in);
/* Newest first: by created_at, then id, both descending. */
int store_insights_list(struct store *st, int64_t project_id, const struct insight_filter *f,
    store_insight_cb cb, void *ctx);
/* ---- data lifecycle (docs/lifecycle.md) ---- */

/*
 * A project's own retention: 0 and *days (0: kept forever), 1 when it has
 * none (the server's retention_days applies), -1 on failure. A missing
 * project reads as 1.
 */
int store_project_retention(struct store *st, int64_t project_id, int64_t *days);

/* One page of an export: events with (ts, id) after (after_ts, after_id) and ts < to_ms. */
struct event_scan {
	int64_t after_ts, after_id;     /* (from, 0) starts at from */
	int64_t to_ms;
	int limit;
};
/*
 * Up to q->limit events oldest first (ts, then id), in one short read
 * transaction: an export calls again from the last row's (ts, id), so no
 * read stays open while the previous page is written out.
 */
int store_events_scan(struct store *st, int64_t project_id, const struct event_scan *q,
    store_event_cb cb, void *ctx);

/* What a prune deleted (or, dry run, would delete), per table. */
struct prune_counts {
	int64_t events, spans, traces, votes, conversations, conversation_turns;
	int64_t llm_rollup, event_rollup, user_weeks, user_first, insights;
};
/*
 * Deletes the project's rows older than cutoff_ms: raw rows whose time is
 * before it; traces and conversations whose last activity is; rollup rows
 * whose whole bucket (hour, day, week) is. Works in chunks, each its own
 * short write transaction, so ingest goes on in between. dry_run counts
 * instead. Profiles and aliases are identity and stay.
 */
int store_prune(struct store *st, int64_t project_id, int64_t cutoff_ms, int dry_run,
    struct prune_counts *out);

struct backup_result {
	int64_t pages, page_size;
};
/*
 * An online copy of the whole database into path, consistent as of its
 * start while writers go on, verified (quick_check) before it replaces
 * anything. 1 when path exists and !force; -1 with err set on failure.
 */
int store_backup(struct store *st, const char *path, int force, struct backup_result *out,
    char *err, size_t errlen);

/* ---- funnels and retention ---- */

/* An event a funnel reads: names[name] at ts by user_key (keylen bytes, borrowed for the call). */
typedef int (*store_funnel_cb)(void *ctx, size_t name, int64_t ts_ms, const char *user_key,
    size_t keylen);
/*
 * The events counted under names[0..n) (a track event's name, "$pageview",
 * "$screen", …) whose time is in [from, to) and that have a user (userId,
 * else anonymousId, else sessionId): name by name, each name's in time
 * order, read from the (project, name, ts, user) index alone, in one read
 * transaction. A non-zero return from cb stops the read (0 is returned).
 */
int store_funnel_events(struct store *st, int64_t project_id, const char *const *names, size_t n,
    int64_t from_ms, int64_t to_ms, store_funnel_cb cb, void *ctx);

/* A funnel breakdown's read: the entry event of one user counted. */
struct store_funnel_entry {
	const char *user_key;           /* keylen bytes, borrowed */
	size_t keylen;
	int64_t ts_ms;
};
/* The value of entries[i]: len bytes, borrowed for the call; NULL: none. */
typedef int (*store_funnel_value_cb)(void *ctx, size_t i, const char *value, size_t len);
/*
 * For each of entries[0..n): the event counted under `name` at ts by
 * user_key (of the lowest id when several match), found through the
 * (project, name, ts, user) index, and its value: its shopId when property
 * is NULL, else its top-level property `property` read as the event
 * rollups read one (a string of at most 100 bytes, a number as written,
 * true or false). NULL to cb when the event has none, another kind of
 * value, or is gone. In time order (nearby rows read together), in one
 * read transaction. A non-zero return from cb stops the read (0 is
 * returned).
 */
int store_funnel_values(struct store *st, int64_t project_id, const char *name,
    const char *property, const struct store_funnel_entry *entries, size_t n,
    store_funnel_value_cb cb, void *ctx);

/* Weekly cohorts: weeks start on Monday 00:00 UTC. */
struct retention_query {
	int64_t from_ms, to_ms;         /* the users first seen in [from, to) */
	int max_offset;                 /* the weeks read: the cohort's own and max_offset after it, */
	int64_t last_week_ms;           /* and none starting after this Monday */
};
typedef int (*store_cohort_cb)(void *ctx, int64_t cohort_ms, int64_t users);
typedef int (*store_cohort_week_cb)(void *ctx, int64_t cohort_ms, int64_t week_ms, int64_t users);
/*
 * The users first seen in [from, to), grouped by the week of their first
 * event: size_cb gets each cohort's size (cohorts in order), then week_cb,
 * for each cohort and each week read in which some of its users did
 * anything, how many (by cohort, then week; weeks nobody was active are
 * skipped). From user_first and user_weeks, in one read transaction.
 */
int store_retention(struct store *st, int64_t project_id, const struct retention_query *q,
    store_cohort_cb size_cb, store_cohort_week_cb week_cb, void *ctx);

/* ---- rate limits (SPEC §7, docs/rate-limits.md) ---- */

#define RATE_WINDOW_S 60        /* a sliding window of one minute, in 1-second steps */

/* One counter a request is counted against. */
struct rate_scope {
	uint64_t id;                /* names the counter: a hash of (what, key or account, address) */
	int64_t limit;              /* requests per RATE_WINDOW_S; <= 0: this scope is not limited */
};

/* The outcome, told by the tightest scope (the least remaining). */
struct rate_result {
	int allowed;                /* 1: counted in every scope; 0: refused, nothing counted */
	int64_t limit;              /* that scope's limit (0 when no scope is limited) */
	int64_t remaining;          /* requests left in its window after this one */
	int64_t reset_s;            /* seconds until its oldest counted request leaves the window
	                             * (when refused: until one more request would fit) */
};

/*
 * Counts one request at now_ms against every scope of scopes[0..n), all or
 * nothing: when any scope is full the request is refused and no counter
 * moves. The counters are shared by every process using the store (all
 * workers of the pool) and survive a worker's crash. Returns 0 with *out
 * filled, or -1 when the counters cannot be reached (the caller decides;
 * tally lets the request through and logs it).
 */
int store_rate_take(struct store *st, const struct rate_scope *scopes, size_t n, int64_t now_ms,
    struct rate_result *out);

#endif
