/*
 * keys: a project's API keys (SPEC §2, §6). Any member lists them (prefix
 * only); an admin creates and revokes. A new key is in the creation's answer
 * and nowhere else: the store keeps its SHA-256. A revocation holds from the
 * next request in every worker (the key caches follow a shared epoch).
 */
#include "handlers.h"

#include <string.h>

#include "control.h"
#include "handler_util.h"
#include "store.h"
#include "util.h"

json_object *
control_key_json(const struct api_key *k)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(k->id));
	json_object_object_add(o, "kind", json_object_new_string(k->kind == KEY_SECRET ? "secret" : "ingest"));
	json_object_object_add(o, "name", json_object_new_string(k->name));
	json_object_object_add(o, "prefix", json_object_new_string(k->prefix));
	json_object_object_add(o, "created_at", handler_time(k->created_ms));
	json_object_object_add(o, "last_used_at", k->last_used_ms ? handler_time(k->last_used_ms) : NULL);
	json_object_object_add(o, "revoked_at", k->revoked_ms ? handler_time(k->revoked_ms) : NULL);
	return o;
}

static int
add_key(void *ctx, const struct api_key *k)
{
	json_object_array_add(ctx, control_key_json(k));
	return 0;
}

void
handle_keys_list(struct http_req *req)
{
	json_object *list = json_object_new_array();
	if (store_key_list(req->store, req->auth.project_id, add_key, list) != 0) {
		json_object_put(list);
		handler_unavailable(req);
		return;
	}
	handler_send_data(req, list);
}

void
handle_key_create(struct http_req *req)
{
	static const char *const fields[] = { "kind", "name", NULL };
	const char *kind_text, *name;
	char key[KEY_LEN + 1], prefix[KEY_PREFIX_LEN + 1], hash[65];
	struct api_key k;
	json_object *o;
	int kind;

	if (handler_body_fields(req, fields) != 0 ||
	    handler_body_string(req, "kind", 16, 0, &kind_text) < 0 ||
	    handler_body_string(req, "name", sizeof(k.name) - 1, 0, &name) < 0)
		return;
	if (kind_text == NULL || (strcmp(kind_text, "ingest") != 0 && strcmp(kind_text, "secret") != 0)) {
		handler_bad_field(req, "kind", "'kind' must be ingest or secret");
		return;
	}
	kind = strcmp(kind_text, "secret") == 0 ? KEY_SECRET : KEY_INGEST;
	auth_key_generate(kind, key, prefix);
	auth_key_hash(key, hash);
	if (store_key_create(req->store, req->auth.project_id, kind, name ? name : "", hash, prefix, &k) != 0) {
		handler_unavailable(req);
		return;
	}
	o = control_key_json(&k);
	json_object_object_add(o, "key", json_object_new_string(key));
	http_send_json(req, 201, o);
	json_object_put(o);
	explicit_bzero(key, sizeof(key));
}

void
handle_key_revoke(struct http_req *req)
{
	int64_t id;
	int rc;

	if (util_parse_i64(req->captures[1], 1, INT64_MAX, &id) != 0) {
		http_send_error(req, 404, "not_found", "no such key in this project", NULL);
		return;
	}
	rc = store_key_revoke(req->store, req->auth.project_id, id);
	if (rc == 1)
		http_send_error(req, 404, "not_found", "no active key with this id in this project", NULL);
	else if (rc != 0)
		handler_unavailable(req);
	else
		http_send(req, 204, "application/json", "", 0);
}
