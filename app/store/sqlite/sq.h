/* sq: the SQLite backend's private parts (connections, statements, group commit). */
#ifndef TALLY_SQ_H
#define TALLY_SQ_H

#include <pthread.h>
#include <stdint.h>

#include <sqlite3.h>

#include "../store_backend.h"

/* Every fixed statement the backend runs; the text is in sq_sql.c. */
enum sq_stmt {
	SQ_BEGIN, SQ_COMMIT, SQ_ROLLBACK, SQ_SAVEPOINT, SQ_RELEASE, SQ_ROLLBACK_TO,
	SQ_PING,
	SQ_PROJECT_INSERT, SQ_PROJECT_BY_SLUG, SQ_PROJECT_LIST,
	SQ_KEY_INSERT, SQ_KEY_LIST, SQ_KEY_LIST_ALL, SQ_KEY_REVOKE, SQ_KEY_AUTH, SQ_KEY_TOUCH,
	SQ_PROJECT_BY_ID, SQ_PROJECT_UPDATE,
	SQ_ACCOUNT_INSERT, SQ_ACCOUNT_BY_EMAIL, SQ_ACCOUNT_BY_ID,
	SQ_MEMBER_ROLE, SQ_MEMBER_LIST, SQ_MEMBER_UPSERT, SQ_MEMBER_DELETE, SQ_MEMBER_OWNERS,
	SQ_ACCOUNT_PROJECTS,
	SQ_LOGIN_FAILURES, SQ_LOGIN_FAILURE_ADD, SQ_LOGIN_FAILURES_CLEAR, SQ_LOGIN_FAILURE_UNDO, SQ_LOGIN_FAILURES_EXPIRE,
	SQ_EVENT_DEDUP, SQ_EVENT_INSERT,
	SQ_PROFILE_MERGE, SQ_ALIAS_LINK,
	SQ_USER_ALIASES, SQ_USER_PROFILE, SQ_USER_EVENT_STATS,
	SQ_USER_DEL_EVENTS, SQ_USER_DEL_PROFILE, SQ_USER_DEL_ALIASES, SQ_USER_DEL_FIRST, SQ_USER_DEL_WEEKS,
	SQ_SPAN_INSERT, SQ_TRACE_UPSERT, SQ_ROLLUP_UPSERT,
	SQ_CONV_UPSERT, SQ_CONV_TURN, SQ_CONV_OF_TURN, SQ_CONV_OF_TRACE, SQ_CONV_VOTE,
	SQ_VOTE_DEDUP, SQ_VOTE_INSERT,
	SQ_PRICE_LIST, SQ_PRICE_LIST_ALL, SQ_PRICE_UPSERT, SQ_PRICE_DELETE,
	SQ_REPRICE_SCAN, SQ_REPRICE_SCAN_ALL, SQ_SPAN_SET_COST, SQ_TRACE_ADD_COST, SQ_CONV_ADD_COST,
	SQ_ROLLUP_ADD_COST,
	SQ_EROLLUP_UPSERT, SQ_USER_FIRST_UPSERT, SQ_USER_WEEK_INSERT,
	SQ_EVENT_SCAN, SQ_REBUILD_CLEAR_ROLLUP, SQ_REBUILD_CLEAR_FIRST, SQ_REBUILD_CLEAR_WEEKS, SQ_REBUILD_CLEAR_NAMES,
	SQ_REBUILD_LAST_ID, SQ_REBUILD_PAGE,
	SQ_EROLLUP_READ, SQ_EROLLUP_READ_USERS, SQ_EROLLUP_READ_SESSIONS, SQ_EROLLUP_READ_COUNTS, SQ_EROLLUP_EVENTS, SQ_EVENT_NAME_INSERT, SQ_EVENT_MINUTES, SQ_EVENT_MINUTES_OF,
	SQ_INSIGHT_UPSERT, SQ_INSIGHT_PRUNE, SQ_INSIGHT_LIST,
	SQ__COUNT
};

/* Event-list filters: one bit each; a statement is prepared per combination used. */
enum {
	SQF_TYPE = 1 << 0, SQF_EVENT = 1 << 1, SQF_USER = 1 << 2, SQF_ANON = 1 << 3,
	SQF_SESSION = 1 << 4, SQF_CONVERSATION = 1 << 5, SQF_SHOP = 1 << 6,
	SQF_FROM = 1 << 7, SQF_TO = 1 << 8, SQF_CURSOR = 1 << 9,
	SQF__VARIANTS = 1 << 10
};

struct sq_conn {
	sqlite3 *db;
	sqlite3_stmt *stmt[SQ__COUNT];
	sqlite3_stmt *list[SQF__VARIANTS];
	struct sq_conn *next;           /* free list of the read pool */
	struct sq_rollup_notes *rollup; /* the writer's: what the open transaction adds to the rollups */
};

/* A unit of work run inside the write transaction. 0 ok, 1 done-but-no (kept), -1 rolled back. */
typedef int (*sq_write_fn)(struct sq_conn *c, void *arg);

struct sq_job {
	sq_write_fn fn;
	void *arg;
	int rc;
	int done;
	int detached;           /* nobody waits: the leader frees job and arg */
	pthread_cond_t done_cv; /* the waiter's own: a commit wakes only its callers */
	struct sq_job *next;
};

struct sq_store {
	struct store base;
	struct cfg cfg;
	enum store_mode mode;

	pthread_mutex_t pool_mu;
	struct sq_conn *free_conns;

	/* writes: `writer` is used by the batch leader of the moment (sq_commit.c) */
	struct sq_conn *writer;
	pthread_mutex_t write_mu;
	struct sq_job *queue_head, *queue_tail;
	int leader_active;
	int stopping;

	/* checkpoints run beside the commits, not inside them */
	struct sq_conn *checkpointer_conn;
	pthread_t checkpointer;
	int checkpointer_started;
	pthread_cond_t checkpoint_cv;
	int checkpoint_wanted;

	struct sq_shared *shared;       /* sq_shared.c; NULL when it cannot be mapped */
	int shared_fd;
	int shared_locked;              /* the leader of the moment holds the writers' lock */
	int cli_wal_pages;              /* STORE_CLI: WAL size after the last commit (sq_commit.c) */

	/* model prices, read again whenever the shared epoch moves (sq_prices.c);
	 * used only inside write jobs, which one leader runs at a time */
	struct price *prices;
	size_t nprices;
	uint64_t prices_epoch;
	int64_t prices_loaded_ms;       /* 0: not loaded */

	/* key cache, emptied whenever the shared key epoch moves (sq_keys.c) */
	pthread_mutex_t key_cache_mu;
	struct sq_key_cache_entry *key_cache;
	/* rate-limit counters shared by the pool (sq_rate.c); NULL outside STORE_WORKER
	 * or when the file cannot be mapped */
	struct sq_rate *rate;
	int rate_fd;
};

extern const char *const sq_sql[SQ__COUNT];

/*
 * Maps <database><suffix>, size bytes (a new file reads as zeros), shared by
 * every process of the database, and keeps a shared flock on it for as long
 * as *fd stays open. The file starts with a uint64_t magic and holds a
 * robust process-shared mutex at lock_off: the mutex is made afresh when
 * this process is the only one holding the file (after a host crash its
 * lock word may name a thread that never existed here) or the magic is not
 * `magic`; a file of another layout (other non-zero magic) is zeroed first.
 * Returns the mapping, or NULL with nothing held (logged when the file
 * exists but cannot be opened; `without` says what the process loses).
 */
void *sq_shared_map(const struct sq_store *st, const char *suffix, size_t size, uint64_t magic,
    size_t lock_off, const char *without, int *fd);
/* Unmaps what sq_shared_map returned and drops its flock. NULL-safe. */
void sq_shared_unmap(void *p, size_t size, int fd);
/* The state shared by every process of this database (sq_shared.c). */
void sq_shared_open(struct sq_store *st);
/* Allocates the key cache (none without the shared epoch). */
void sq_key_cache_init(struct sq_store *st);
void sq_shared_close(struct sq_store *st);
uint64_t sq_key_epoch(struct sq_store *st);
void sq_key_epoch_bump(struct sq_store *st);
void sq_writers_lock(struct sq_store *st);
void sq_writers_unlock(struct sq_store *st);
int sq_checkpointer_start(struct sq_store *st);
/* STORE_CLI: checkpoints after a commit, outside the writers' lock (sq_commit.c). */
void sq_cli_checkpoints(struct sq_store *st);
void sq_checkpointer_stop(struct sq_store *st);

/* Registers tally's SQL functions (sq_funcs.c) on a connection. */
int sq_funcs_register(sqlite3 *db);

/* Opens one connection with tally's pragmas. NULL with err set. */
struct sq_conn *sq_conn_open(const struct cfg *cfg, char *err, size_t errlen);
void sq_conn_close(struct sq_conn *c);

/* The prepared statement, reset and unbound; NULL (logged) on failure. */
sqlite3_stmt *sq_stmt(struct sq_conn *c, enum sq_stmt id);
/* Runs a statement that returns no rows. 0 or -1 (logged). Resets it. */
int sq_exec(struct sq_conn *c, sqlite3_stmt *s);
/* Steps a statement of at most one row: 0 with the row handed to fill, 1 when none, -1 (logged). Resets it. */
int sq_one_row(struct sq_conn *c, sqlite3_stmt *s, void (*fill)(sqlite3_stmt *, void *), void *out,
    const char *what);
/* fill for sq_one_row: a project row of SQ_PROJECT_COLUMNS. */
void sq_fill_project(sqlite3_stmt *s, void *out);
/* Logs the connection's last error with a context word. Returns -1. */
int sq_fail(struct sq_conn *c, const char *what);
/* The columns of an event as read back, in the order sq_event_row_read takes them. */
#define SQ_EVENT_COLUMNS "id, type, event, user_id, anonymous_id, session_id, ts, received_at, " \
	"message_id, properties, context, traits, group_id, previous_id, conversation_id, " \
	"turn_id, shop_id, request_id"
struct event_row;
/* Reads a row of SQ_EVENT_COLUMNS; rid holds the request id when it is stored as bytes. */
void sq_event_row_read(sqlite3_stmt *s, struct event_row *r, char rid[33]);
/* Hands each row of a prepared SQ_EVENT_COLUMNS statement to cb, then resets it; 0 or -1 (logged as what). */
int sq_event_rows(struct sq_conn *c, sqlite3_stmt *s, store_event_cb cb, void *ctx, const char *what);
/* 1 when the project stored messageId (hashed mid_hash) since since: stmt is
 * SQ_EVENT_DEDUP or SQ_VOTE_DEDUP; 0 not; -1 failed. */
int sq_message_seen(struct sq_conn *c, int stmt, int64_t project_id, int64_t mid_hash,
    const char *message_id, int64_t since);

/*
 * The element array and open-addressing slots (index + 1; 0 empty) of an
 * in-memory map: doubles both, the elements keeping their place and their
 * uint64_t hash at hash_off. Returns the array; NULL when out of memory
 * (items, *cap and the slots then unchanged).
 */
void *sq_map_grow(void *items, size_t elem, size_t hash_off, size_t n, size_t *cap,
    size_t **slots, size_t *nslots, size_t first);

/* ---- event rollups (sq_rollup.c) ---- */
struct event;
struct sq_rollup_notes;
/* The name an event is counted under (a track event's name, else "$pageview"…; NULL: none). */
const char *sq_event_key(const struct event *e);
/* Who did it: userId, else anonymousId, else sessionId (NULL: nobody). */
const char *sq_user_key(const struct event *e);
/* Monday 00:00 UTC of t's week. */
int64_t sq_week_start(int64_t t);
struct sq_rollup_notes *sq_rollup_notes_new(void);
void sq_rollup_notes_free(struct sq_rollup_notes *n);
/* Notes what an accepted event adds to the rollups (copies what it needs). 0 / -1. */
int sq_rollup_note(struct sq_rollup_notes *n, int64_t project_id, const struct event *e);
/* Moves from's notes to the end of into. */
void sq_rollup_adopt(struct sq_rollup_notes *into, struct sq_rollup_notes *from);
void sq_rollup_discard(struct sq_rollup_notes *n);
/* Writes the notes' rollup rows and user tables, then empties n. 0 / -1. */
int sq_rollup_flush(struct sq_conn *c, struct sq_rollup_notes *n);

/* Bind helpers: NULL pointers bind NULL. */
void sq_bind_text(sqlite3_stmt *s, int i, const char *v);
/* Copies a column's text into buf (bufsz), "" when NULL. */
void sq_column_copy(sqlite3_stmt *s, int i, char *buf, size_t bufsz);

/* A read connection from the pool (opened on demand) and its return. */
struct sq_conn *sq_read_acquire(struct sq_store *st);
void sq_read_release(struct sq_store *st, struct sq_conn *c);

/*
 * Runs fn inside a write transaction and returns its rc, or -1 when the
 * transaction could not commit. In STORE_WORKER mode concurrent callers share
 * one transaction (each in its own savepoint) and all return after the commit.
 */
int sq_write(struct sq_store *st, sq_write_fn fn, void *arg);
/*
 * Queues fn for the next transaction and returns at once: the next leader
 * runs it, or the housekeeping thread when no request writes. arg is
 * malloc'd and freed after the run. For writes nobody waits on (last_used_at).
 */
void sq_write_detached(struct sq_store *st, sq_write_fn fn, void *arg);

/*
 * The price of an LLM call at ts (inside a write job): 0 and *out set, 1
 * when no price matches, -1 when the table cannot be read.
 */
int sq_price_for(struct sq_store *st, struct sq_conn *c, int64_t project_id,
    const char *provider, const char *model, int64_t ts_ms, struct price *out);

/*
 * LLM spans inside a write job (sq_llm_write.c): sq_llm_span stores one
 * (0 stored, 1 duplicate, -1 failed) and gathers its rollup counts in the
 * job; sq_llm_job_flush writes them (once, before the job returns).
 */
struct sq_llm_job;

/* llm_rollup grains: 0 hour, 1 day, 2 week (from Monday 00:00 UTC; not per user). */
enum { SQ_GRAIN_HOUR, SQ_GRAIN_DAY, SQ_GRAIN_WEEK, SQ_GRAINS };
/* The start of ms's hour, day and week (1970-01-01 was a Thursday). */
static inline void
sq_grain_buckets(int64_t ms, int64_t out[SQ_GRAINS])
{
	out[SQ_GRAIN_HOUR] = ms - ms % 3600000;
	out[SQ_GRAIN_DAY] = ms - ms % 86400000;
	out[SQ_GRAIN_WEEK] = out[SQ_GRAIN_DAY] - ((out[SQ_GRAIN_DAY] / 86400000 + 3) % 7) * 86400000;
}
struct sq_llm_job *sq_llm_job_new(void);
int sq_llm_span(struct sq_store *st, struct sq_conn *c, const struct ingest_meta *m,
    const struct llm_span *sp, struct sq_llm_job *job);
int sq_llm_job_flush(struct sq_conn *c, int64_t project_id, struct sq_llm_job *job);
void sq_llm_job_free(struct sq_llm_job *job);
/* An event's conversation (Bilan turns), when it carries no LLM call. */
int sq_event_conversation(struct sq_conn *c, int64_t project_id, const struct event *e);

/* Backend operations defined in the other files. */
int sq_project_create(struct store *, const char *, const char *, struct project *);
int sq_project_get(struct store *, const char *, struct project *);
int sq_project_list(struct store *, store_project_cb, void *);
int sq_key_create(struct store *, int64_t, int, const char *, const char *, const char *, struct api_key *);
int sq_key_list(struct store *, int64_t, store_key_cb, void *);
int sq_key_revoke(struct store *, int64_t, int64_t);
int sq_key_auth(struct store *, const char *, struct auth_ctx *);
int sq_project_update(struct store *, int64_t, const struct project_update *, struct project *);
/* Write steps that larger transactions reuse (signup): 0, 1 when the slug is taken, -1. */
struct sq_project_create_args {
	const char *slug, *name;
	struct project *out;
};
int sq_project_create_tx(struct sq_conn *c, void *arg);
struct sq_key_create_args {
	int64_t project_id;
	int kind;
	const char *name, *hash, *prefix;
	struct api_key *out;
};
int sq_key_create_tx(struct sq_conn *c, void *arg);
/* A project row of SQ_PROJECT_COLUMNS (sq_sql.c) into *p. */
void sq_row_project(sqlite3_stmt *s, struct project *p);
/* The project with that id, on a connection in hand: 0, 1 when none, -1. */
int sq_project_by_id(struct sq_conn *c, int64_t id, struct project *out);
/* accounts, memberships, login failures (sq_accounts.c) */
int sq_account_create(struct store *, const char *, const char *, struct account *);
int sq_account_by_email(struct store *, const char *, struct account *, char *, size_t);
int sq_account_get(struct store *, int64_t, struct account *);
int sq_signup(struct store *, const struct signup *, struct account *, struct project *,
    struct api_key *, struct api_key *);
int sq_project_create_owned(struct store *, int64_t, const char *, const char *, struct project *);
int sq_member_role(struct store *, int64_t, int64_t, int *);
int sq_members_list(struct store *, int64_t, store_member_cb, void *);
int sq_member_set(struct store *, int64_t, int64_t, int);
int sq_member_remove(struct store *, int64_t, int64_t);
int sq_account_projects(struct store *, int64_t, store_account_project_cb, void *);
int sq_login_failures(struct store *, const char *, int64_t *, int64_t *);
int sq_login_failure_add(struct store *, const char *, int64_t, int64_t, int64_t *);
int sq_login_failures_clear(struct store *, const char *);
int sq_login_failure_undo(struct store *, const char *, int64_t);
int sq_login_failures_expire(struct store *, int64_t, int64_t *);
int sq_events_insert(struct store *, const struct ingest_meta *, const struct event *, size_t,
    unsigned char *, int64_t *, int64_t *);
int sq_events_list(struct store *, int64_t, const struct event_filter *, store_event_cb, void *);
int sq_user_get(struct store *, int64_t, const char *, store_user_cb, void *);
int sq_user_delete(struct store *, int64_t, const char *, struct user_erase_counts *);
int sq_spans_insert(struct store *, const struct ingest_meta *, const struct llm_span *, size_t,
    unsigned char *, int64_t *, int64_t *);
int sq_votes_insert(struct store *, const struct ingest_meta *, const struct vote *, size_t,
    int64_t *, int64_t *);
int sq_prices_list(struct store *, int64_t, store_price_cb, void *);
int sq_price_set(struct store *, const struct price *);
int sq_price_delete(struct store *, int64_t);
int sq_reprice(struct store *, int64_t, int64_t, int64_t, int64_t *);
int sq_traces_list(struct store *, int64_t, const struct trace_filter *, store_trace_cb, void *);
int sq_trace_get(struct store *, int64_t, const char *, store_trace_cb, store_span_cb, void *);
int sq_session_get(struct store *, int64_t, const char *, store_trace_cb, store_event_cb, store_vote_cb, void *);
int sq_llm_aggregate(struct store *, int64_t, const struct llm_query *, store_llm_agg_cb, void *);
int sq_llm_calls(struct store *, int64_t, const struct calls_query *, store_call_cb, void *);
int sq_spans_of_recent_traces(struct store *, int64_t, int64_t, int64_t, int, store_span_cb, void *);
int sq_votes_list(struct store *, int64_t, int64_t, int64_t, const char *, store_vote_cb, void *);
int sq_conversations_list(struct store *, int64_t, const char *, int64_t, int64_t, int, store_conversation_cb, void *);
int sq_realtime(struct store *, int64_t, int64_t, int64_t, struct realtime_totals *);
int sq_event_aggregate(struct store *, int64_t, const struct event_query *, store_event_agg_cb, void *);
int sq_event_minutes(struct store *, int64_t, const char *, int64_t, int64_t, store_event_agg_cb, void *);
int sq_rollups_rebuild(struct store *, int64_t, int64_t *);
/* data lifecycle (sq_lifecycle.c) */
int sq_project_retention(struct store *, int64_t, int64_t *);
int sq_events_scan(struct store *, int64_t, const struct event_scan *, store_event_cb, void *);
int sq_prune(struct store *, int64_t, int64_t, int, struct prune_counts *);
int sq_backup(struct store *, const char *, int, struct backup_result *, char *, size_t);
/* funnels and retention (sq_funnel.c) */
int sq_funnel_events(struct store *, int64_t, const char *const *, size_t, int64_t, int64_t,
    store_funnel_cb, void *);
int sq_funnel_values(struct store *, int64_t, const char *, const char *,
    const struct store_funnel_entry *, size_t, store_funnel_value_cb, void *);
int sq_retention(struct store *, int64_t, const struct retention_query *, store_cohort_cb,
    store_cohort_week_cb, void *);

/* ---- insights (sq_insights.c) ---- */
int sq_insights_put(struct store *, int64_t, struct insight *, size_t, const struct insight_scope *, size_t);
int sq_insights_list(struct store *, int64_t, const struct insight_filter *, store_insight_cb, void *);

/* ---- rate limits (sq_rate.c) ---- */
/* Maps <database>.ratelimit for a STORE_WORKER store (st->rate stays NULL otherwise). */
void sq_rate_open(struct sq_store *st);
void sq_rate_close(struct sq_store *st);
int sq_rate_take(struct store *, const struct rate_scope *, size_t, int64_t, struct rate_result *);
/* For tests: the first slot probed for id (ids with the same one compete for the same slots). */
size_t sq_rate_home(uint64_t id);
/* For tests: takes the counters' lock and never gives it back (a worker dying while
 * counting). 0, or -1 without counters. */
int sq_rate_hold(struct store *);

#endif
