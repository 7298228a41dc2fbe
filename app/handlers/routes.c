/* routes: every path the worker answers (nginx maps the seeds' aliases onto these). */
#include "handlers.h"

const struct route routes[] = {
	{ "GET", "/api/health", handle_health, ROUTE_PUBLIC, BODY_JSON, ROLE_NONE, 0 },
	{ "POST", "/api/v1/events", handle_events_post, ROUTE_WRITE, BODY_JSON, ROLE_NONE, 0 },
	{ "GET", "/api/v1/events", handle_events_get, ROUTE_READ, BODY_JSON, ROLE_VIEWER, 0 },
	{ "POST", "/api/v1/batch", handle_segment_batch, ROUTE_WRITE, BODY_JSON, ROLE_NONE, 0 },
	{ "POST", "/api/v1/track", handle_segment_track, ROUTE_WRITE, BODY_JSON, ROLE_NONE, 0 },
	{ "POST", "/api/v1/identify", handle_segment_identify, ROUTE_WRITE, BODY_JSON, ROLE_NONE, 0 },
	{ "POST", "/api/v1/page", handle_segment_page, ROUTE_WRITE, BODY_JSON, ROLE_NONE, 0 },
	{ "POST", "/api/v1/screen", handle_segment_screen, ROUTE_WRITE, BODY_JSON, ROLE_NONE, 0 },
	{ "POST", "/api/v1/group", handle_segment_group, ROUTE_WRITE, BODY_JSON, ROLE_NONE, 0 },
	{ "POST", "/api/v1/alias", handle_segment_alias, ROUTE_WRITE, BODY_JSON, ROLE_NONE, 0 },
	{ "GET", "/api/v1/users/{id}", handle_user_get, ROUTE_READ, BODY_JSON, ROLE_VIEWER, 0 },
	/* erasing a user (GDPR) changes data: an admin's act for a login */
	{ "DELETE", "/api/v1/users/{id}", handle_user_delete, ROUTE_READ, BODY_JSON, ROLE_ADMIN, 0 },
	{ "POST", "/api/v1/traces/batch", handle_traces_batch, ROUTE_WRITE, BODY_JSON, ROLE_NONE, 0 },
	{ "POST", "/api/v1/otlp/v1/traces", handle_otlp_traces, ROUTE_WRITE, BODY_OTLP, ROLE_NONE, 0 },
	{ "POST", "/api/v1/vote", handle_vote, ROUTE_WRITE, BODY_JSON, ROLE_NONE, 0 },
	{ "GET", "/api/v1/traces", handle_traces_list, ROUTE_READ, BODY_JSON, ROLE_VIEWER, 0 },
	{ "GET", "/api/v1/traces/{id}", handle_trace_get, ROUTE_READ, BODY_JSON, ROLE_VIEWER, 0 },
	{ "GET", "/api/v1/sessions/{id}", handle_session_get, ROUTE_READ, BODY_JSON, ROLE_VIEWER, 0 },
	{ "GET", "/api/v1/analytics/cost-breakdown", handle_cost_breakdown, ROUTE_READ, BODY_JSON, ROLE_VIEWER, 0 },
	{ "GET", "/api/v1/analytics/flamegraph", handle_flamegraph, ROUTE_READ, BODY_JSON, ROLE_VIEWER, 0 },
	{ "GET", "/api/v1/analytics/timeseries", handle_timeseries, ROUTE_READ, BODY_JSON, ROLE_VIEWER, 0 },
	{ "GET", "/api/v1/analytics/breakdown", handle_breakdown, ROUTE_READ, BODY_JSON, ROLE_VIEWER, 0 },
	{ "GET", "/api/v1/analytics/prompts", handle_prompts, ROUTE_READ, BODY_JSON, ROLE_VIEWER, 0 },
	{ "GET", "/api/v1/analytics/trust-score", handle_trust_score, ROUTE_READ, BODY_JSON, ROLE_VIEWER, 0 },
	{ "GET", "/api/v1/analytics/conversations", handle_conversations, ROUTE_READ, BODY_JSON, ROLE_VIEWER, 0 },
	{ "GET", "/api/v1/analytics/realtime", handle_realtime, ROUTE_READ, BODY_JSON, ROLE_VIEWER, 0 },
	{ "GET", "/api/v1/analytics/stats", handle_stats, ROUTE_READ, BODY_JSON, ROLE_VIEWER, 0 },
	/* ---- insights: both need the secret key, or a login (generating: an admin) ---- */
	{ "GET", "/api/v1/insights", handle_insights_list, ROUTE_READ, BODY_JSON, ROLE_VIEWER, 0 },
	{ "POST", "/api/v1/insights/generate", handle_insights_generate, ROUTE_READ, BODY_JSON, ROLE_ADMIN, 0 },
	{ "GET", "/api/v1/export", handle_export, ROUTE_READ, BODY_JSON, ROLE_VIEWER, 0 },
	/* the realtime stream (SPEC §9): EventSource cannot send headers, so ?token= too */
	{ "GET", "/api/v1/stream/costs", handle_stream_costs, ROUTE_READ, BODY_JSON, ROLE_VIEWER, 1 },
	{ "GET", "/api/v1/stream/events", handle_stream_events, ROUTE_READ, BODY_JSON, ROLE_VIEWER, 1 },
	/* funnels and retention */
	{ "GET", "/api/v1/analytics/funnel", handle_funnel, ROUTE_READ, BODY_JSON, ROLE_VIEWER, 0 },
	{ "GET", "/api/v1/analytics/retention", handle_retention, ROUTE_READ, BODY_JSON, ROLE_VIEWER, 0 },
	/* ---- control plane (SPEC §6): a login token; roles per route ---- */
	{ "POST", "/api/v1/auth/signup", handle_signup, ROUTE_GUEST, BODY_JSON, ROLE_NONE, 0 },
	{ "POST", "/api/v1/auth/login", handle_login, ROUTE_GUEST, BODY_JSON, ROLE_NONE, 0 },
	{ "GET", "/api/v1/me", handle_me, ROUTE_ACCOUNT, BODY_JSON, ROLE_NONE, 0 },
	{ "GET", "/api/v1/projects", handle_projects_list, ROUTE_ACCOUNT, BODY_JSON, ROLE_NONE, 0 },
	{ "POST", "/api/v1/projects", handle_project_create, ROUTE_ACCOUNT, BODY_JSON, ROLE_NONE, 0 },
	{ "PATCH", "/api/v1/projects/{slug}", handle_project_update, ROUTE_CONTROL, BODY_JSON, ROLE_OWNER, 0 },
	{ "GET", "/api/v1/projects/{slug}/keys", handle_keys_list, ROUTE_CONTROL, BODY_JSON, ROLE_VIEWER, 0 },
	{ "POST", "/api/v1/projects/{slug}/keys", handle_key_create, ROUTE_CONTROL, BODY_JSON, ROLE_ADMIN, 0 },
	{ "DELETE", "/api/v1/projects/{slug}/keys/{id}", handle_key_revoke, ROUTE_CONTROL, BODY_JSON, ROLE_ADMIN, 0 },
	{ "GET", "/api/v1/projects/{slug}/members", handle_members_list, ROUTE_CONTROL, BODY_JSON, ROLE_VIEWER, 0 },
	{ "POST", "/api/v1/projects/{slug}/members", handle_member_set, ROUTE_CONTROL, BODY_JSON, ROLE_OWNER, 0 },
	{ "DELETE", "/api/v1/projects/{slug}/members/{id}", handle_member_remove, ROUTE_CONTROL, BODY_JSON, ROLE_OWNER, 0 },
};

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);
