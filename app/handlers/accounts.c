/*
 * accounts: signup, login and /me (SPEC §6, docs/auth.md). Passwords are
 * hashed with yescrypt; a login with an unknown email costs the same hash
 * as one with a wrong password, and both fail alike.
 */
#include "handlers.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account_fields.h"
#include "control.h"
#include "handler_util.h"
#include "json_strict.h"
#include "jwt_keys.h"
#include "login_guard.h"
#include "password.h"
#include "store.h"
#include "util.h"

#define HASH_MAX 256

/* The password member: present, a string, within the policy. -1 with the 400 sent. */
static int
body_password(struct http_req *req, const char **pw, int check_policy)
{
	json_object *v;
	const char *why;

	if (!json_object_object_get_ex(req->json, "password", &v) || (*pw = json_str(v)) == NULL)
		return handler_bad_field(req, "password", "'password' must be a string");
	if (check_policy && password_check_policy(*pw, strlen(*pw), &why) != 0)
		return handler_bad_field(req, "password", why);
	return 0;
}

static json_object *
account_json(const struct account *a)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(a->id));
	json_object_object_add(o, "email", json_object_new_string(a->email));
	json_object_object_add(o, "created_at", handler_time(a->created_ms));
	return o;
}

/* Adds token, token_type and expires_at for the account to o; -1 when it cannot be made. */
static int
add_token(struct http_req *req, json_object *o, int64_t account_id)
{
	int64_t now_s = req->received_ms / 1000;
	char *tok = req->jwt ? jwt_keyring_issue(req->jwt, account_id, now_s, req->cfg->jwt_ttl) : NULL;

	if (tok == NULL)
		return -1;
	json_object_object_add(o, "token", json_object_new_string(tok));
	json_object_object_add(o, "token_type", json_object_new_string("Bearer"));
	json_object_object_add(o, "expires_at", handler_time((now_s + req->cfg->jwt_ttl) * 1000));
	explicit_bzero(tok, strlen(tok));
	free(tok);
	return 0;
}

static json_object *
new_key_json(const struct api_key *k, const char *key)
{
	json_object *o = control_key_json(k);
	json_object_object_add(o, "key", json_object_new_string(key));
	return o;
}

/* What one signup makes, tried under one project slug after another. */
struct signup_try {
	struct http_req *req;
	struct signup in;
	struct account *acct;
	struct project *proj;
	struct api_key *ik, *sk;
};

static int
signup_with(void *ctx, const char *slug)
{
	struct signup_try *t = ctx;
	t->in.project_slug = slug;
	return store_signup(t->req->store, &t->in, t->acct, t->proj, t->ik, t->sk);
}

void
handle_signup(struct http_req *req)
{
	static const char *const fields[] = { "email", "password", "project_name", NULL };
	const char *email_in, *pw = NULL, *name = NULL;
	char email[EMAIL_MAX + 1], hash[HASH_MAX];
	char ingest[KEY_LEN + 1], ingest_prefix[KEY_PREFIX_LEN + 1], ingest_hash[65];
	char secret[KEY_LEN + 1], secret_prefix[KEY_PREFIX_LEN + 1], secret_hash[65];
	struct account acct;
	struct project proj;
	struct api_key ik, sk;
	struct signup_try su;
	json_object *o, *keys;
	int rc;

	if (!req->cfg->signup) {
		http_send_error(req, 403, "signup_disabled",
		    "signing up is turned off on this server (signup = off); ask its operator for an account", NULL);
		return;
	}
	if (handler_body_fields(req, fields) != 0 ||
	    handler_body_string(req, "email", EMAIL_MAX, 0, &email_in) < 0 ||
	    handler_body_string(req, "project_name", PROJECT_NAME_MAX, 1, &name) < 0)
		return;
	if (email_in == NULL || email_normalize(email_in, email) != 0) {
		handler_bad_field(req, "email", "'email' must be an email address");
		return;
	}
	if (body_password(req, &pw, 1) != 0)
		return;
	if (name == NULL)
		name = "My project";
	if (password_hash(pw, strlen(pw), hash, sizeof(hash)) != 0) {
		http_send_error(req, 500, "internal", "the password could not be hashed", NULL);
		return;
	}
	auth_key_generate(KEY_INGEST, ingest, ingest_prefix);
	auth_key_hash(ingest, ingest_hash);
	auth_key_generate(KEY_SECRET, secret, secret_prefix);
	auth_key_hash(secret, secret_hash);
	su = (struct signup_try){ req, { email, hash, NULL, name, ingest_hash, ingest_prefix,
	    secret_hash, secret_prefix }, &acct, &proj, &ik, &sk };
	/* a taken slug gets a number, then a random tail */
	rc = control_slug_try(name, 2, signup_with, &su);
	if (rc == 1) {
		http_send_error(req, 409, "email_taken", "an account with this email exists already; log in", NULL);
		return;
	}
	if (rc != 0) {
		handler_unavailable(req);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "account", account_json(&acct));
	json_object_object_add(o, "project", control_project_json(&proj, ROLE_OWNER));
	keys = json_object_new_object();
	json_object_object_add(keys, "ingest", new_key_json(&ik, ingest));
	json_object_object_add(keys, "secret", new_key_json(&sk, secret));
	json_object_object_add(o, "keys", keys);
	if (add_token(req, o, acct.id) != 0)
		json_object_object_add(o, "token", NULL);
	http_send_json(req, 201, o);
	json_object_put(o);
	explicit_bzero(secret, sizeof(secret));
	explicit_bzero(ingest, sizeof(ingest));
	explicit_bzero(hash, sizeof(hash));
}

static void
locked(struct http_req *req, int64_t wait_ms)
{
	char secs[24];
	snprintf(secs, sizeof(secs), "%" PRId64, (wait_ms + 999) / 1000);
	http_add_header(req, "Retry-After", secs);
	http_send_error(req, 429, "too_many_attempts",
	    "too many failed logins for this email or from this address; wait and retry", NULL);
}

void
handle_login(struct http_req *req)
{
	static const char *const fields[] = { "email", "password", NULL };
	const char *email_in, *pw = NULL;
	char email[EMAIL_MAX + 1], hash[HASH_MAX];
	struct login_scopes scopes;
	struct account acct;
	int64_t wait;
	int rc, ok;
	json_object *o;

	if (handler_body_fields(req, fields) != 0 ||
	    handler_body_string(req, "email", EMAIL_MAX, 0, &email_in) < 0 ||
	    body_password(req, &pw, 0) != 0)
		return;
	if (email_in == NULL) {
		handler_bad_field(req, "email", "'email' must be a string");
		return;
	}
	/* a malformed email is just one no account has: the same path, the same answer */
	if (email_normalize(email_in, email) != 0)
		util_strlcpy(email, "-", sizeof(email));
	login_scopes_init(&scopes, email, req->remote_addr, req->cfg->login_max_failures,
	    req->cfg->login_max_failures_per_ip);
	if ((wait = login_guard_claim(req->store, &scopes, req->received_ms)) != 0) {
		if (wait < 0)
			handler_unavailable(req);
		else
			locked(req, wait);
		return;
	}
	rc = store_account_by_email(req->store, email, &acct, hash, sizeof(hash));
	if (rc < 0) {
		handler_unavailable(req);
		return;
	}
	ok = password_verify(pw, strlen(pw), rc == 0 ? hash : NULL) == 1 && rc == 0;
	explicit_bzero(hash, sizeof(hash));
	if (!ok) {
		/* counted already, by the claim */
		http_send_error(req, 401, "invalid_credentials", "wrong email or password", NULL);
		return;
	}
	if (login_guard_passed(req->store, &scopes) != 0) {
		handler_unavailable(req);
		return;
	}
	o = json_object_new_object();
	if (add_token(req, o, acct.id) != 0) {
		json_object_put(o);
		http_send_error(req, 500, "internal", "the token could not be made", NULL);
		return;
	}
	json_object_object_add(o, "account", account_json(&acct));
	http_send_json(req, 200, o);
	json_object_put(o);
}

struct projects_out {
	json_object *list;
};

static int
add_project(void *ctx, const struct project *p, int role)
{
	json_object_array_add(((struct projects_out *)ctx)->list, control_project_json(p, role));
	return 0;
}

/* The caller's projects as a JSON array: memberships, or an external token's claims. */
json_object *
control_caller_projects(struct http_req *req)
{
	struct projects_out out = { json_object_new_array() };

	if (req->auth.account_id != 0) {
		if (store_account_projects(req->store, req->auth.account_id, add_project, &out) != 0) {
			json_object_put(out.list);
			return NULL;
		}
		return out.list;
	}
	for (int i = 0; i < req->jwt_claims.nprojects; i++) {
		struct project p;
		int rc = store_project_get(req->store, req->jwt_claims.projects[i], &p);
		if (rc < 0) {
			json_object_put(out.list);
			return NULL;
		}
		if (rc == 0 && req->auth.role != ROLE_NONE)
			add_project(&out, &p, req->auth.role);
	}
	return out.list;
}

void
handle_me(struct http_req *req)
{
	json_object *o = json_object_new_object(), *projects;
	struct account acct;

	if (req->auth.account_id != 0) {
		int rc = store_account_get(req->store, req->auth.account_id, &acct);
		if (rc != 0) {
			json_object_put(o);
			if (rc == 1)    /* deleted between the token check and here */
				http_send_error(req, 401, "invalid_token", "the account no longer exists", NULL);
			else
				handler_unavailable(req);
			return;
		}
		json_object_object_add(o, "account", account_json(&acct));
	} else {
		json_object_object_add(o, "account", NULL);
		json_object_object_add(o, "subject", json_object_new_string(req->auth.subject));
	}
	if ((projects = control_caller_projects(req)) == NULL) {
		json_object_put(o);
		handler_unavailable(req);
		return;
	}
	json_object_object_add(o, "projects", projects);
	http_send_json(req, 200, o);
	json_object_put(o);
}
