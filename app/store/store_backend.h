/*
 * store_backend: what a storage backend provides. store.c dispatches every
 * store_* call through this table; app/store/sqlite/ is one backend, a
 * PostgreSQL one adds a table of its own and a line in store_open.
 */
#ifndef TALLY_STORE_BACKEND_H
#define TALLY_STORE_BACKEND_H

#include "store.h"

struct store_backend {
	const char *name;
	void (*close)(struct store *);
	int (*migrate)(struct store *, int *, char *, size_t);
	int (*schema_version)(struct store *, int *, int *);
	int (*ping)(struct store *);
	int (*project_create)(struct store *, const char *, const char *, struct project *);
	int (*project_get)(struct store *, const char *, struct project *);
	int (*project_list)(struct store *, store_project_cb, void *);
	int (*key_create)(struct store *, int64_t, int, const char *, const char *, const char *, struct api_key *);
	int (*key_list)(struct store *, int64_t, store_key_cb, void *);
	int (*key_revoke)(struct store *, int64_t, int64_t);
	int (*key_auth)(struct store *, const char *, struct auth_ctx *);
	int (*project_update)(struct store *, int64_t, const struct project_update *, struct project *);
	/* accounts, memberships, login failures */
	int (*account_create)(struct store *, const char *, const char *, struct account *);
	int (*account_by_email)(struct store *, const char *, struct account *, char *, size_t);
	int (*account_get)(struct store *, int64_t, struct account *);
	int (*signup)(struct store *, const struct signup *, struct account *, struct project *,
	    struct api_key *, struct api_key *);
	int (*project_create_owned)(struct store *, int64_t, const char *, const char *, struct project *);
	int (*member_role)(struct store *, int64_t, int64_t, int *);
	int (*members_list)(struct store *, int64_t, store_member_cb, void *);
	int (*member_set)(struct store *, int64_t, int64_t, int);
	int (*member_remove)(struct store *, int64_t, int64_t);
	int (*account_projects)(struct store *, int64_t, store_account_project_cb, void *);
	int (*login_failures)(struct store *, const char *, int64_t *, int64_t *);
	int (*login_failure_add)(struct store *, const char *, int64_t, int64_t, int64_t *);
	int (*login_failures_clear)(struct store *, const char *);
	int (*login_failure_undo)(struct store *, const char *, int64_t);
	int (*login_failures_expire)(struct store *, int64_t, int64_t *);
	int (*events_insert)(struct store *, const struct ingest_meta *, const struct event *, size_t,
	    unsigned char *, int64_t *, int64_t *);
	int (*events_list)(struct store *, int64_t, const struct event_filter *, store_event_cb, void *);
	int (*user_get)(struct store *, int64_t, const char *, store_user_cb, void *);
	int (*user_delete)(struct store *, int64_t, const char *, struct user_erase_counts *);
	int (*spans_insert)(struct store *, const struct ingest_meta *, const struct llm_span *, size_t,
	    unsigned char *, int64_t *, int64_t *);
	int (*votes_insert)(struct store *, const struct ingest_meta *, const struct vote *, size_t,
	    int64_t *, int64_t *);
	int (*prices_list)(struct store *, int64_t, store_price_cb, void *);
	int (*price_set)(struct store *, const struct price *);
	int (*price_delete)(struct store *, int64_t);
	int (*reprice)(struct store *, int64_t, int64_t, int64_t, int64_t *);
	int (*traces_list)(struct store *, int64_t, const struct trace_filter *, store_trace_cb, void *);
	int (*trace_get)(struct store *, int64_t, const char *, store_trace_cb, store_span_cb, void *);
	int (*session_get)(struct store *, int64_t, const char *, store_trace_cb, store_event_cb, store_vote_cb, void *);
	int (*llm_aggregate)(struct store *, int64_t, const struct llm_query *, store_llm_agg_cb, void *);
	int (*llm_calls)(struct store *, int64_t, const struct calls_query *, store_call_cb, void *);
	int (*spans_of_recent_traces)(struct store *, int64_t, int64_t, int64_t, int, store_span_cb, void *);
	int (*votes_list)(struct store *, int64_t, int64_t, int64_t, const char *, store_vote_cb, void *);
	int (*conversations_list)(struct store *, int64_t, const char *, int64_t, int64_t, int, store_conversation_cb, void *);
	int (*realtime)(struct store *, int64_t, int64_t, int64_t, struct realtime_totals *);
	int (*event_aggregate)(struct store *, int64_t, const struct event_query *, store_event_agg_cb, void *);
	int (*event_minutes)(struct store *, int64_t, const char *, int64_t, int64_t, store_event_agg_cb, void *);
	int (*rollups_rebuild)(struct store *, int64_t, int64_t *);
	/* ---- insights ---- */
	int (*insights_put)(struct store *, int64_t, struct insight *, size_t, const struct insight_scope *, size_t);
	int (*insights_list)(struct store *, int64_t, const struct insight_filter *, store_insight_cb, void *);
	/* data lifecycle */
	int (*project_retention)(struct store *, int64_t, int64_t *);
	int (*events_scan)(struct store *, int64_t, const struct event_scan *, store_event_cb, void *);
	int (*prune)(struct store *, int64_t, int64_t, int, struct prune_counts *);
	int (*backup)(struct store *, const char *, int, struct backup_result *, char *, size_t);
	/* funnels and retention */
	int (*funnel_events)(struct store *, int64_t, const char *const *, size_t, int64_t, int64_t,
	    store_funnel_cb, void *);
	int (*funnel_values)(struct store *, int64_t, const char *, const char *,
	    const struct store_funnel_entry *, size_t, store_funnel_value_cb, void *);
	int (*retention)(struct store *, int64_t, const struct retention_query *, store_cohort_cb,
	    store_cohort_week_cb, void *);
	/* rate limits */
	int (*rate_take)(struct store *, const struct rate_scope *, size_t, int64_t, struct rate_result *);
};

/* Every backend's handle starts with this. */
struct store {
	const struct store_backend *be;
};

struct store *sqlite_store_open(const struct cfg *cfg, enum store_mode mode, char *err, size_t errlen);

#endif
