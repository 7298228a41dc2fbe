/* users: GET /api/v1/users/{id} (profile) and DELETE (GDPR erasure). */
#include "handler_util.h"
#include "handlers.h"
#include "store.h"

static int
profile_json(void *arg, const struct user_profile *u)
{
	json_object **out = arg, *o = json_object_new_object(), *aliases = json_object_new_array();

	json_object_object_add(o, "userId", json_object_new_string(u->user_id));
	json_object_object_add(o, "traits", handler_json_text(u->traits));
	json_object_object_add(o, "firstSeen", u->event_count ? handler_time(u->first_seen_ms) : NULL);
	json_object_object_add(o, "lastSeen", u->event_count ? handler_time(u->last_seen_ms) : NULL);
	json_object_object_add(o, "eventCount", json_object_new_int64(u->event_count));
	for (size_t i = 0; i < u->naliases; i++)
		json_object_array_add(aliases, json_object_new_string(u->aliases[i]));
	json_object_object_add(o, "aliases", aliases);
	*out = o;
	return 0;
}

void
handle_user_get(struct http_req *req)
{
	json_object *profile = NULL, *o;
	int rc = store_user_get(req->store, req->auth.project_id, req->captures[0], profile_json, &profile);

	if (rc == 1) {
		http_send_error(req, 404, "not_found", "no such user in this project", NULL);
		return;
	}
	if (rc != 0) {
		json_object_put(profile);
		http_send_error(req, 503, "unavailable", "the database is not available", NULL);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "data", profile);
	http_send_json(req, 200, o);
	json_object_put(o);
}

void
handle_user_delete(struct http_req *req)
{
	struct user_erase_counts c;
	json_object *o, *d;

	if (store_user_delete(req->store, req->auth.project_id, req->captures[0], &c) != 0) {
		http_send_error(req, 503, "unavailable", "the user could not be erased; retry", NULL);
		return;
	}
	o = json_object_new_object();
	d = json_object_new_object();
	json_object_object_add(d, "events", json_object_new_int64(c.events));
	json_object_object_add(d, "profiles", json_object_new_int64(c.profiles));
	json_object_object_add(d, "aliases", json_object_new_int64(c.aliases));
	json_object_object_add(o, "userId", json_object_new_string(req->captures[0]));
	json_object_object_add(o, "deleted", d);
	json_object_object_add(o, "request_id", json_object_new_string(req->request_id));
	http_send_json(req, 200, o);
	json_object_put(o);
}
