/* store: picks the backend from `database` and forwards each call to it. */
#include "store.h"

#include <stdio.h>
#include <string.h>

#include "store_backend.h"

struct store *
store_open(const struct cfg *cfg, enum store_mode mode, char *err, size_t errlen)
{
	if (strncmp(cfg->database, "postgres://", 11) == 0 ||
	    strncmp(cfg->database, "postgresql://", 13) == 0) {
		snprintf(err, errlen, "database: the PostgreSQL backend is not built into this version");
		return NULL;
	}
	return sqlite_store_open(cfg, mode, err, errlen);
}

void
store_close(struct store *st)
{
	if (st != NULL)
		st->be->close(st);
}

int store_migrate(struct store *st, int *applied, char *err, size_t errlen)
{ return st->be->migrate(st, applied, err, errlen); }
int store_schema_version(struct store *st, int *current, int *latest)
{ return st->be->schema_version(st, current, latest); }
int store_ping(struct store *st)
{ return st->be->ping(st); }
int store_project_create(struct store *st, const char *slug, const char *name, struct project *out)
{ return st->be->project_create(st, slug, name, out); }
int store_project_get(struct store *st, const char *slug, struct project *out)
{ return st->be->project_get(st, slug, out); }
int store_project_list(struct store *st, store_project_cb cb, void *ctx)
{ return st->be->project_list(st, cb, ctx); }
int store_key_create(struct store *st, int64_t project_id, int kind, const char *name,
    const char *hash, const char *prefix, struct api_key *out)
{ return st->be->key_create(st, project_id, kind, name, hash, prefix, out); }
int store_key_list(struct store *st, int64_t project_id, store_key_cb cb, void *ctx)
{ return st->be->key_list(st, project_id, cb, ctx); }
int store_key_revoke(struct store *st, int64_t project_id, int64_t key_id)
{ return st->be->key_revoke(st, project_id, key_id); }
int store_key_auth(struct store *st, const char *hash, struct auth_ctx *out)
{ return st->be->key_auth(st, hash, out); }
int store_project_update(struct store *st, int64_t project_id, const struct project_update *u, struct project *out)
{ return st->be->project_update(st, project_id, u, out); }

/* accounts, memberships, login failures */
int store_account_create(struct store *st, const char *email, const char *password_hash, struct account *out)
{ return st->be->account_create(st, email, password_hash, out); }
int store_account_by_email(struct store *st, const char *email, struct account *out, char *hash, size_t hashlen)
{ return st->be->account_by_email(st, email, out, hash, hashlen); }
int store_account_get(struct store *st, int64_t account_id, struct account *out)
{ return st->be->account_get(st, account_id, out); }
int store_signup(struct store *st, const struct signup *in, struct account *account, struct project *project, struct api_key *ingest, struct api_key *secret)
{ return st->be->signup(st, in, account, project, ingest, secret); }
int store_project_create_owned(struct store *st, int64_t owner_id, const char *slug, const char *name, struct project *out)
{ return st->be->project_create_owned(st, owner_id, slug, name, out); }
int store_member_role(struct store *st, int64_t account_id, int64_t project_id, int *role)
{ return st->be->member_role(st, account_id, project_id, role); }
int store_members_list(struct store *st, int64_t project_id, store_member_cb cb, void *ctx)
{ return st->be->members_list(st, project_id, cb, ctx); }
int store_member_set(struct store *st, int64_t project_id, int64_t account_id, int role)
{ return st->be->member_set(st, project_id, account_id, role); }
int store_member_remove(struct store *st, int64_t project_id, int64_t account_id)
{ return st->be->member_remove(st, project_id, account_id); }
int store_account_projects(struct store *st, int64_t account_id, store_account_project_cb cb, void *ctx)
{ return st->be->account_projects(st, account_id, cb, ctx); }
int store_login_failures(struct store *st, const char *scope, int64_t *failures, int64_t *last_ms)
{ return st->be->login_failures(st, scope, failures, last_ms); }
int store_login_failure_add(struct store *st, const char *scope, int64_t now_ms, int64_t fresh_after_ms, int64_t *failures)
{ return st->be->login_failure_add(st, scope, now_ms, fresh_after_ms, failures); }
int store_login_failures_clear(struct store *st, const char *scope)
{ return st->be->login_failures_clear(st, scope); }
int store_login_failure_undo(struct store *st, const char *scope, int64_t last_ms)
{ return st->be->login_failure_undo(st, scope, last_ms); }
int store_login_failures_expire(struct store *st, int64_t before_ms, int64_t *n)
{ return st->be->login_failures_expire(st, before_ms, n); }
int store_events_insert(struct store *st, const struct ingest_meta *meta, const struct event *evs,
    size_t n, unsigned char *dup, int64_t *accepted, int64_t *duplicates)
{ return st->be->events_insert(st, meta, evs, n, dup, accepted, duplicates); }
int store_events_list(struct store *st, int64_t project_id, const struct event_filter *f,
    store_event_cb cb, void *ctx)
{ return st->be->events_list(st, project_id, f, cb, ctx); }
int store_user_get(struct store *st, int64_t project_id, const char *user_id, store_user_cb cb, void *ctx)
{ return st->be->user_get(st, project_id, user_id, cb, ctx); }
int store_user_delete(struct store *st, int64_t project_id, const char *user_id,
    struct user_erase_counts *out)
{ return st->be->user_delete(st, project_id, user_id, out); }
int store_spans_insert(struct store *st, const struct ingest_meta *meta, const struct llm_span *spans,
    size_t n, unsigned char *dup, int64_t *accepted, int64_t *duplicates)
{ return st->be->spans_insert(st, meta, spans, n, dup, accepted, duplicates); }
int store_votes_insert(struct store *st, const struct ingest_meta *meta, const struct vote *votes,
    size_t n, int64_t *accepted, int64_t *duplicates)
{ return st->be->votes_insert(st, meta, votes, n, accepted, duplicates); }
int store_prices_list(struct store *st, int64_t project_id, store_price_cb cb, void *ctx)
{ return st->be->prices_list(st, project_id, cb, ctx); }
int store_price_set(struct store *st, const struct price *p)
{ return st->be->price_set(st, p); }
int store_price_delete(struct store *st, int64_t price_id)
{ return st->be->price_delete(st, price_id); }
int store_reprice(struct store *st, int64_t project_id, int64_t from_ms, int64_t to_ms, int64_t *changed)
{ return st->be->reprice(st, project_id, from_ms, to_ms, changed); }
int store_traces_list(struct store *st, int64_t project_id, const struct trace_filter *f, store_trace_cb cb, void *ctx)
{ return st->be->traces_list(st, project_id, f, cb, ctx); }
int store_trace_get(struct store *st, int64_t project_id, const char *trace_id, store_trace_cb tcb, store_span_cb scb, void *ctx)
{ return st->be->trace_get(st, project_id, trace_id, tcb, scb, ctx); }
int store_session_get(struct store *st, int64_t project_id, const char *session_id, store_trace_cb tcb, store_event_cb ecb, store_vote_cb vcb, void *ctx)
{ return st->be->session_get(st, project_id, session_id, tcb, ecb, vcb, ctx); }
int store_llm_aggregate(struct store *st, int64_t project_id, const struct llm_query *q, store_llm_agg_cb cb, void *ctx)
{ return st->be->llm_aggregate(st, project_id, q, cb, ctx); }
int store_llm_calls(struct store *st, int64_t project_id, const struct calls_query *q, store_call_cb cb, void *ctx)
{ return st->be->llm_calls(st, project_id, q, cb, ctx); }
int store_spans_of_recent_traces(struct store *st, int64_t project_id, int64_t from_ms, int64_t to_ms, int max_traces, store_span_cb cb, void *ctx)
{ return st->be->spans_of_recent_traces(st, project_id, from_ms, to_ms, max_traces, cb, ctx); }
int store_votes_list(struct store *st, int64_t project_id, int64_t from_ms, int64_t to_ms, const char *user_id, store_vote_cb cb, void *ctx)
{ return st->be->votes_list(st, project_id, from_ms, to_ms, user_id, cb, ctx); }
int store_conversations_list(struct store *st, int64_t project_id, const char *user_id, int64_t from_ms, int64_t to_ms, int limit, store_conversation_cb cb, void *ctx)
{ return st->be->conversations_list(st, project_id, user_id, from_ms, to_ms, limit, cb, ctx); }
int store_realtime(struct store *st, int64_t project_id, int64_t since_ms, int64_t now_ms, struct realtime_totals *out)
{ return st->be->realtime(st, project_id, since_ms, now_ms, out); }

int store_event_aggregate(struct store *st, int64_t project_id, const struct event_query *q, store_event_agg_cb cb, void *ctx)
{ return st->be->event_aggregate(st, project_id, q, cb, ctx); }
int store_event_minutes(struct store *st, int64_t project_id, const char *event, int64_t from_ms, int64_t to_ms, store_event_agg_cb cb, void *ctx)
{ return st->be->event_minutes(st, project_id, event, from_ms, to_ms, cb, ctx); }

/* ---- insights ---- */
int store_insights_put(struct store *st, int64_t project_id, struct insight *rows, size_t n, const struct insight_scope *scopes, size_t nscopes)
{ return st->be->insights_put(st, project_id, rows, n, scopes, nscopes); }
int store_insights_list(struct store *st, int64_t project_id, const struct insight_filter *f, store_insight_cb cb, void *ctx)
{ return st->be->insights_list(st, project_id, f, cb, ctx); }
/* data lifecycle */
int store_project_retention(struct store *st, int64_t project_id, int64_t *days)
{ return st->be->project_retention(st, project_id, days); }
int store_events_scan(struct store *st, int64_t project_id, const struct event_scan *q, store_event_cb cb, void *ctx)
{ return st->be->events_scan(st, project_id, q, cb, ctx); }
int store_prune(struct store *st, int64_t project_id, int64_t cutoff_ms, int dry_run, struct prune_counts *out)
{ return st->be->prune(st, project_id, cutoff_ms, dry_run, out); }
int store_backup(struct store *st, const char *path, int force, struct backup_result *out, char *err, size_t errlen)
{ return st->be->backup(st, path, force, out, err, errlen); }

/* funnels and retention */
int store_funnel_events(struct store *st, int64_t project_id, const char *const *names, size_t n, int64_t from_ms, int64_t to_ms, store_funnel_cb cb, void *ctx)
{ return st->be->funnel_events(st, project_id, names, n, from_ms, to_ms, cb, ctx); }
int store_funnel_values(struct store *st, int64_t project_id, const char *name, const char *property, const struct store_funnel_entry *entries, size_t n, store_funnel_value_cb cb, void *ctx)
{ return st->be->funnel_values(st, project_id, name, property, entries, n, cb, ctx); }
int store_retention(struct store *st, int64_t project_id, const struct retention_query *q, store_cohort_cb size_cb, store_cohort_week_cb week_cb, void *ctx)
{ return st->be->retention(st, project_id, q, size_cb, week_cb, ctx); }
int store_rollups_rebuild(struct store *st, int64_t project_id, int64_t *events)
{ return st->be->rollups_rebuild(st, project_id, events); }

/* rate limits */
int store_rate_take(struct store *st, const struct rate_scope *scopes, size_t n, int64_t now_ms, struct rate_result *out)
{ return st->be->rate_take(st, scopes, n, now_ms, out); }
