/*
 * credentials: who a request is (an API key or a JWT) and, for a JWT, which
 * project it acts on with which role (SPEC §3). A JWT's project is checked
 * against the store on every request, so a removed membership or a deleted
 * account stops at once.
 */
#include "dispatch.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jwt.h>

#include "jwt_keys.h"
#include "log.h"
#include "store.h"
#include "util.h"

static void
project_into_auth(struct auth_ctx *a, const struct project *p)
{
	a->project_id = p->id;
	util_strlcpy(a->project_slug, p->slug, sizeof(a->project_slug));
	a->rate_key = p->rate_limit_per_min;
	a->rate_ip = p->rate_limit_per_ip_per_min;
	a->rate_project = p->rate_limit_project_per_min;
	util_strlcpy(a->allowed_origins, p->allowed_origins, sizeof(a->allowed_origins));
}

int
dispatch_auth_key(struct http_req *req, const char *key)
{
	char hash[65];
	int rc;

	if (auth_key_kind(key) == 0) {
		http_add_header(req, "WWW-Authenticate", "Bearer realm=\"tally\"");
		http_send_error(req, 401, "invalid_credentials", "the API key is not valid", NULL);
		return -1;
	}
	auth_key_hash(key, hash);
	rc = store_key_auth(req->store, hash, &req->auth);
	if (rc == 1) {
		http_add_header(req, "WWW-Authenticate", "Bearer realm=\"tally\"");
		http_send_error(req, 401, "invalid_credentials", "the API key is unknown or revoked", NULL);
		return -1;
	}
	if (rc != 0) {
		http_send_error(req, 503, "unavailable", "the database is not available", NULL);
		return -1;
	}
	return 0;
}

/* The failure is told apart for the caller (the token is theirs), never logged with the token. */
static int
token_refused(struct http_req *req, int rc, const char *why)
{
	const char *code = rc == JWT_VERIFY_EXPIRED ? "token_expired" : "invalid_token";
	char msg[160];

	snprintf(msg, sizeof(msg), "the token is not accepted: %s", why);
	http_add_header(req, "WWW-Authenticate", "Bearer realm=\"tally\", error=\"invalid_token\"");
	http_send_error(req, 401, code, msg, NULL);
	return -1;
}

int
dispatch_auth_jwt(struct http_req *req, const char *token)
{
	struct jwt_claims claims;
	struct account acct;
	const char *why = "no token keys are configured";
	int rc;

	if (req->jwt == NULL)
		return token_refused(req, JWT_VERIFY_MISUSE, why);
	rc = jwt_keyring_verify(req->jwt, token, req->received_ms / 1000, &claims, &why);
	if (rc != JWT_VERIFY_OK)
		return token_refused(req, rc, why);
	memset(&req->auth, 0, sizeof(req->auth));
	req->auth.jwt = 1;
	util_strlcpy(req->auth.subject, claims.sub, sizeof(req->auth.subject));
	if (claims.alg != JWT_ALG_HS256) {
		/* an identity provider's token: its claims say what it may reach */
		req->auth.role = role_parse(claims.role);
		req->jwt_claims = claims;
		return 0;
	}
	/* our own login token: sub is an account that must still exist */
	if (util_parse_i64(claims.sub, 1, INT64_MAX, &req->auth.account_id) != 0)
		return token_refused(req, JWT_VERIFY_CLAIMS, "sub is not an account");
	rc = store_account_get(req->store, req->auth.account_id, &acct);
	if (rc == 1)
		return token_refused(req, JWT_VERIFY_CLAIMS, "the account no longer exists");
	if (rc != 0) {
		http_send_error(req, 503, "unavailable", "the database is not available", NULL);
		return -1;
	}
	return 0;
}

static int
no_access(struct http_req *req)
{
	http_send_error(req, 403, "forbidden", "this login has no access to that project", NULL);
	return -1;
}

/* An external token reaches the projects its `projects` claim lists, with its `role`. */
static int
external_role(const struct http_req *req, const char *slug)
{
	for (int i = 0; i < req->jwt_claims.nprojects; i++)
		if (strcmp(req->jwt_claims.projects[i], slug) == 0)
			return req->auth.role;
	return ROLE_NONE;
}

int
dispatch_jwt_project(struct http_req *req, const char *slug, int min_role)
{
	struct project p;
	int rc, role = ROLE_NONE;

	if (slug == NULL || *slug == '\0') {
		http_send_error(req, 400, "project_required",
		    "name the project: X-Project-Id: <slug> or ?project=<slug>", NULL);
		return -1;
	}
	rc = store_project_get(req->store, slug, &p);
	if (rc == 1)
		return no_access(req);      /* the same answer as a project of others */
	if (rc == 0 && req->auth.account_id == 0)
		role = external_role(req, slug);
	else if (rc == 0)
		rc = store_member_role(req->store, req->auth.account_id, p.id, &role);
	if (rc != 0) {
		http_send_error(req, 503, "unavailable", "the database is not available", NULL);
		return -1;
	}
	if (role == ROLE_NONE)
		return no_access(req);
	req->auth.role = role;
	project_into_auth(&req->auth, &p);
	if (role < min_role) {
		char msg[128];
		snprintf(msg, sizeof(msg), "this needs the %s role in the project; yours is %s",
		    role_name(min_role), role_name(role));
		http_send_error(req, 403, "forbidden", msg, NULL);
		return -1;
	}
	return 0;
}
