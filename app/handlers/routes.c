/* routes: every path the worker answers (nginx maps the seeds' aliases onto these). */
#include "handlers.h"

const struct route routes[] = {
	{ "GET", "/api/health", handle_health, ROUTE_PUBLIC },
	{ "POST", "/api/v1/events", handle_events_post, ROUTE_WRITE },
	{ "GET", "/api/v1/events", handle_events_get, ROUTE_READ },
	{ "POST", "/api/v1/batch", handle_segment_batch, ROUTE_WRITE },
	{ "POST", "/api/v1/track", handle_segment_track, ROUTE_WRITE },
	{ "POST", "/api/v1/identify", handle_segment_identify, ROUTE_WRITE },
	{ "POST", "/api/v1/page", handle_segment_page, ROUTE_WRITE },
	{ "POST", "/api/v1/screen", handle_segment_screen, ROUTE_WRITE },
	{ "POST", "/api/v1/group", handle_segment_group, ROUTE_WRITE },
	{ "POST", "/api/v1/alias", handle_segment_alias, ROUTE_WRITE },
	{ "GET", "/api/v1/users/{id}", handle_user_get, ROUTE_READ },
	{ "DELETE", "/api/v1/users/{id}", handle_user_delete, ROUTE_READ },
};

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);
