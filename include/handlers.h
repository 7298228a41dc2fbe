/* handlers: one file per resource; the route table ties them to paths. */
#ifndef TALLY_HANDLERS_H
#define TALLY_HANDLERS_H

#include <stddef.h>

#include "http.h"
#include "pool.h"
#include "router.h"

extern const struct route routes[];
extern const size_t routes_count;

/* Shared counters of the pool, for /api/health (NULL outside the worker). */
extern struct pool_stats *handler_stats;

void handle_health(struct http_req *req);
void handle_events_post(struct http_req *req);
void handle_events_get(struct http_req *req);
void handle_segment_batch(struct http_req *req);
void handle_segment_track(struct http_req *req);
void handle_segment_identify(struct http_req *req);
void handle_segment_page(struct http_req *req);
void handle_segment_screen(struct http_req *req);
void handle_segment_group(struct http_req *req);
void handle_segment_alias(struct http_req *req);
void handle_user_get(struct http_req *req);
void handle_user_delete(struct http_req *req);
void handle_traces_batch(struct http_req *req);
void handle_otlp_traces(struct http_req *req);
void handle_vote(struct http_req *req);
void handle_traces_list(struct http_req *req);
void handle_trace_get(struct http_req *req);
void handle_session_get(struct http_req *req);
void handle_cost_breakdown(struct http_req *req);
void handle_flamegraph(struct http_req *req);
void handle_timeseries(struct http_req *req);
void handle_breakdown(struct http_req *req);
void handle_conversations(struct http_req *req);
void handle_realtime(struct http_req *req);

/* product analytics (product_analytics.c): stats, and the event metrics that
 * timeseries and breakdown hand over */
void handle_stats(struct http_req *req);
/* events 0, users 1, sessions 2; -1 for any other name */
int product_metric(const char *name);
/* the event dimension `by` names (enum event_dim), property set for properties.KEY; -1 otherwise */
int product_dimension(const char *by, const char **property);
void product_timeseries(struct http_req *req, int metric);
void product_breakdown(struct http_req *req, const char *by, int dim, const char *property, int metric);
void handle_prompts(struct http_req *req);
void handle_trust_score(struct http_req *req);
void handle_export(struct http_req *req);

/* The flamegraph by span-name path (mode=spans), from llm_insight.c. */
void flamegraph_spans(struct http_req *req, int64_t from_ms, int64_t to_ms);

/* ---- insights (insights.c) ---- */
void handle_insights_list(struct http_req *req);
void handle_insights_generate(struct http_req *req);

/* control plane (accounts.c, projects.c, keys.c; SPEC §6) */
void handle_signup(struct http_req *req);
void handle_login(struct http_req *req);
void handle_me(struct http_req *req);
void handle_projects_list(struct http_req *req);
void handle_project_create(struct http_req *req);
void handle_project_update(struct http_req *req);
void handle_members_list(struct http_req *req);
void handle_member_set(struct http_req *req);
void handle_member_remove(struct http_req *req);
void handle_keys_list(struct http_req *req);
void handle_key_create(struct http_req *req);
void handle_key_revoke(struct http_req *req);

/* the realtime stream (stream.c): X-Accel-Redirect to the project's Nchan channel */
void handle_stream_costs(struct http_req *req);
void handle_stream_events(struct http_req *req);

/* funnels and retention (funnel.c) */
void handle_funnel(struct http_req *req);
void handle_retention(struct http_req *req);

#endif
