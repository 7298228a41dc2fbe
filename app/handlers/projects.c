/*
 * projects: the control plane's projects and members (SPEC §6). Roles are
 * checked by dispatch from the route table: any member reads, the owner
 * changes the project and its members.
 */
#include "handlers.h"

#include <stdio.h>
#include <string.h>

#include "control.h"
#include "handler_util.h"
#include "json_strict.h"
#include "store.h"
#include "util.h"

#define ORIGINS_MAX 32
#define ORIGIN_MAX 200

static json_object *
setting_json(int64_t v)
{
	return v >= 0 ? json_object_new_int64(v) : NULL;
}

json_object *
control_project_json(const struct project *p, int role)
{
	json_object *o = json_object_new_object(), *s = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(p->id));
	json_object_object_add(o, "slug", json_object_new_string(p->slug));
	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "created_at", handler_time(p->created_ms));
	if (role != ROLE_NONE)
		json_object_object_add(o, "role", json_object_new_string(role_name(role)));
	/* null: the server's setting applies */
	json_object_object_add(s, "retention_days", setting_json(p->retention_days));
	json_object_object_add(s, "rate_limit_per_min", setting_json(p->rate_limit_per_min));
	json_object_object_add(s, "rate_limit_per_ip_per_min", setting_json(p->rate_limit_per_ip_per_min));
	json_object_object_add(s, "rate_limit_project_per_min", setting_json(p->rate_limit_project_per_min));
	json_object_object_add(s, "allowed_origins", handler_json_text(p->allowed_origins));
	json_object_object_add(o, "settings", s);
	return o;
}

/* The attempt-th other slug for a taken one: base-2 … base-9, then base-<6 random hex>. */
static void
slug_variant(const char *base, int attempt, char out[SLUG_MAX + 1])
{
	/* base is at most 48 bytes (slug_from_name); the tail fits in what is left */
	if (attempt < 8) {
		snprintf(out, SLUG_MAX + 1, "%.48s-%d", base, attempt + 2);
	} else {
		unsigned char r[3];
		char hex[7];
		util_random(r, sizeof(r));
		util_hex_encode(r, sizeof(r), hex);
		snprintf(out, SLUG_MAX + 1, "%.48s-%s", base, hex);
	}
}

int
control_slug_try(const char *name, int taken, control_slug_fn make, void *ctx)
{
	char base[SLUG_MAX + 1], slug[SLUG_MAX + 1];
	int rc;

	slug_from_name(name, base);
	util_strlcpy(slug, base, sizeof(slug));
	for (int attempt = 0; (rc = make(ctx, slug)) == taken && attempt < SLUG_ATTEMPTS; attempt++)
		slug_variant(base, attempt, slug);
	return rc;
}

void
handle_projects_list(struct http_req *req)
{
	json_object *list = control_caller_projects(req);
	if (list == NULL) {
		handler_unavailable(req);
		return;
	}
	handler_send_data(req, list);
}

struct owned {
	struct http_req *req;
	const char *name;
	struct project *out;
};

static int
create_owned(void *ctx, const char *slug)
{
	struct owned *o = ctx;
	return store_project_create_owned(o->req->store, o->req->auth.account_id, slug, o->name, o->out);
}

void
handle_project_create(struct http_req *req)
{
	static const char *const fields[] = { "name", "slug", NULL };
	const char *name, *slug_in;
	struct project p;
	struct owned owned = { req, NULL, &p };
	json_object *o;
	int rc;

	if (req->auth.account_id == 0) {
		http_send_error(req, 403, "forbidden",
		    "a token of an identity provider cannot own projects; log in with a tally account", NULL);
		return;
	}
	if (handler_body_fields(req, fields) != 0 ||
	    handler_body_string(req, "name", PROJECT_NAME_MAX, 0, &name) < 0 ||
	    handler_body_string(req, "slug", SLUG_MAX, 0, &slug_in) < 0)
		return;
	if (name == NULL) {
		handler_bad_field(req, "name", "'name' is required");
		return;
	}
	if (slug_in != NULL && !slug_ok(slug_in)) {
		handler_bad_field(req, "slug", "'slug' must be 1-63 of a-z, 0-9 and '-', not starting with '-'");
		return;
	}
	owned.name = name;
	/* a slug asked for is the caller's; a made-up one may move aside */
	rc = slug_in != NULL ? create_owned(&owned, slug_in)
	    : control_slug_try(name, 1, create_owned, &owned);
	if (rc == 1) {
		http_send_error(req, 409, "slug_taken", "a project with this slug exists already", NULL);
		return;
	}
	if (rc != 0) {
		handler_unavailable(req);
		return;
	}
	o = control_project_json(&p, ROLE_OWNER);
	http_send_json(req, 201, o);
	json_object_put(o);
}

/* A limit or retention member: absent (0), a number in [0, max], or null for the server's (-1 into *v). */
static int
body_setting(struct http_req *req, const char *key, int64_t max, int *set, int64_t *v)
{
	json_object *j;
	char msg[120];

	if (!json_object_object_get_ex(req->json, key, &j))
		return 0;
	*set = 1;
	if (j == NULL) {
		*v = -1;
		return 0;
	}
	snprintf(msg, sizeof(msg), "'%s' must be an integer from 0 to %lld, or null for the server's setting",
	    key, (long long)max);
	if (!json_object_is_type(j, json_type_int) || (*v = json_object_get_int64(j)) < 0 || *v > max)
		return handler_bad_field(req, key, msg);
	return 0;
}

/* allowed_origins: an array of up to 32 "scheme://host[:port]" strings, into canonical JSON text. */
static int
body_origins(struct http_req *req, char *out, size_t outsz, const char **text)
{
	json_object *j, *arr;
	const char *s;

	*text = NULL;
	if (!json_object_object_get_ex(req->json, "allowed_origins", &j))
		return 0;
	if (!json_object_is_type(j, json_type_array) || json_object_array_length(j) > ORIGINS_MAX)
		return handler_bad_field(req, "allowed_origins", "'allowed_origins' must be an array of at most 32 origins");
	arr = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(j); i++) {
		const char *host;
		s = json_str(json_object_array_get_idx(j, i));
		host = s == NULL ? NULL : strncmp(s, "https://", 8) == 0 ? s + 8
		    : strncmp(s, "http://", 7) == 0 ? s + 7 : NULL;
		if (host == NULL || *host == '\0' || strlen(s) > ORIGIN_MAX ||
		    strcspn(host, "/?#@\"\\ \t\r\n") != strlen(host)) {
			json_object_put(arr);
			return handler_bad_field(req, "allowed_origins",
			    "each origin is scheme://host[:port], as a browser sends it in Origin");
		}
		json_object_array_add(arr, json_object_new_string(s));
	}
	s = json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (strlen(s) >= outsz) {
		json_object_put(arr);
		return handler_bad_field(req, "allowed_origins", "the origins are too long together");
	}
	util_strlcpy(out, s, outsz);
	json_object_put(arr);
	*text = out;
	return 0;
}

void
handle_project_update(struct http_req *req)
{
	static const char *const fields[] = { "name", "retention_days", "rate_limit_per_min",
	    "rate_limit_per_ip_per_min", "rate_limit_project_per_min", "allowed_origins", NULL };
	struct project_update u = { 0 };
	char origins[1024];
	struct project p;
	json_object *o;
	int rc;

	if (handler_body_fields(req, fields) != 0 ||
	    handler_body_string(req, "name", PROJECT_NAME_MAX, 0, &u.name) < 0 ||
	    body_setting(req, "retention_days", 36500, &u.set_retention, &u.retention_days) != 0 ||
	    body_setting(req, "rate_limit_per_min", 100000000, &u.set_rate_key, &u.rate_limit_per_min) != 0 ||
	    body_setting(req, "rate_limit_per_ip_per_min", 100000000, &u.set_rate_ip,
	        &u.rate_limit_per_ip_per_min) != 0 ||
	    body_setting(req, "rate_limit_project_per_min", 100000000, &u.set_rate_project,
	        &u.rate_limit_project_per_min) != 0 ||
	    body_origins(req, origins, sizeof(origins), &u.allowed_origins) != 0)
		return;
	rc = store_project_update(req->store, req->auth.project_id, &u, &p);
	if (rc == 1) {
		http_send_error(req, 404, "not_found", "no such project", NULL);
		return;
	}
	if (rc != 0) {
		handler_unavailable(req);
		return;
	}
	o = control_project_json(&p, req->auth.role);
	http_send_json(req, 200, o);
	json_object_put(o);
}

/* ---- members ---- */

static int
add_member(void *ctx, const struct member *m)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "account_id", json_object_new_int64(m->account_id));
	json_object_object_add(o, "email", json_object_new_string(m->email));
	json_object_object_add(o, "role", json_object_new_string(role_name(m->role)));
	json_object_object_add(o, "created_at", handler_time(m->created_ms));
	json_object_array_add(ctx, o);
	return 0;
}

void
handle_members_list(struct http_req *req)
{
	json_object *list = json_object_new_array();
	if (store_members_list(req->store, req->auth.project_id, add_member, list) != 0) {
		json_object_put(list);
		handler_unavailable(req);
		return;
	}
	handler_send_data(req, list);
}

static void
last_owner(struct http_req *req)
{
	http_send_error(req, 409, "last_owner",
	    "a project keeps at least one owner: make another member owner first", NULL);
}

void
handle_member_set(struct http_req *req)
{
	static const char *const fields[] = { "email", "role", NULL };
	const char *email_in, *role_text;
	char email[EMAIL_MAX + 1];
	struct account acct;
	int role, rc;

	if (handler_body_fields(req, fields) != 0 ||
	    handler_body_string(req, "email", EMAIL_MAX, 0, &email_in) < 0 ||
	    handler_body_string(req, "role", 16, 0, &role_text) < 0)
		return;
	if (email_in == NULL || email_normalize(email_in, email) != 0) {
		handler_bad_field(req, "email", "'email' must be the email of an account");
		return;
	}
	if ((role = role_parse(role_text)) == ROLE_NONE) {
		handler_bad_field(req, "role", "'role' must be viewer, admin or owner");
		return;
	}
	rc = store_account_by_email(req->store, email, &acct, NULL, 0);
	if (rc == 0)
		rc = store_member_set(req->store, req->auth.project_id, acct.id, role);
	if (rc == 1)
		http_send_error(req, 404, "not_found", "no account has this email; it must sign up first", NULL);
	else if (rc == 2)
		last_owner(req);
	else if (rc != 0)
		handler_unavailable(req);
	else {
		json_object *list = json_object_new_array();
		struct member m = { acct.id, "", role, req->received_ms };
		util_strlcpy(m.email, acct.email, sizeof(m.email));
		add_member(list, &m);
		http_send_json(req, 200, json_object_array_get_idx(list, 0));
		json_object_put(list);
	}
}

void
handle_member_remove(struct http_req *req)
{
	int64_t id;
	int rc;

	if (util_parse_i64(req->captures[1], 1, INT64_MAX, &id) != 0) {
		http_send_error(req, 404, "not_found", "no such member", NULL);
		return;
	}
	rc = store_member_remove(req->store, req->auth.project_id, id);
	if (rc == 1)
		http_send_error(req, 404, "not_found", "no such member", NULL);
	else if (rc == 2)
		last_owner(req);
	else if (rc != 0)
		handler_unavailable(req);
	else
		http_send(req, 204, "application/json", "", 0);
}
