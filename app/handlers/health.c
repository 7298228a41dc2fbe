/* health: GET /api/health, no credential (SPEC §8). */
#include "handlers.h"
#include "store.h"
#include "util.h"

struct pool_stats *handler_stats;

void
handle_health(struct http_req *req)
{
	json_object *o = json_object_new_object(), *checks = json_object_new_object();
	int current = 0, latest = 0;
	int db_ok = store_ping(req->store) == 0;
	int schema_ok = db_ok && store_schema_version(req->store, &current, &latest) == 0 &&
	    current == latest;
	const char *status = db_ok && schema_ok ? "ok" : db_ok ? "degraded" : "unhealthy";
	int64_t started = handler_stats ? handler_stats->started_ms : util_now_ms();

	json_object_object_add(o, "status", json_object_new_string(status));
	json_object_object_add(o, "version", json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(o, "uptime_s", json_object_new_int64((util_now_ms() - started) / 1000));
	json_object_object_add(o, "database", json_object_new_string(db_ok ? "ok" : "unavailable"));
	json_object_object_add(o, "events_processed",
	    json_object_new_int64(handler_stats ? handler_stats->events_processed : 0));
	json_object_object_add(checks, "database", json_object_new_string(db_ok ? "ok" : "unavailable"));
	json_object_object_add(checks, "schema_version", json_object_new_int(current));
	json_object_object_add(checks, "schema", json_object_new_string(schema_ok ? "ok" : "outdated"));
	json_object_object_add(o, "checks", checks);
	http_send_json(req, db_ok ? 200 : 503, o);
	json_object_put(o);
}
