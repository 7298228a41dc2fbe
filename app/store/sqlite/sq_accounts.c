/*
 * sq_accounts: accounts, their memberships, signups and failed logins.
 * A write step that can refuse (email or slug taken, last owner) decides
 * before it writes anything: a job's positive return keeps its savepoint.
 */
#include "sq.h"

#include <string.h>

#include "util.h"

static void
row_account(sqlite3_stmt *s, struct account *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(s, 0);
	sq_column_copy(s, 1, a->email, sizeof(a->email));
	a->created_ms = sqlite3_column_int64(s, 2);
}

static void
fill_account(sqlite3_stmt *s, void *out)
{
	row_account(s, out);
}

struct by_email {
	struct account *account;
	char *hash;
	size_t hashlen;
};

static void
fill_by_email(sqlite3_stmt *s, void *out)
{
	struct by_email *b = out;
	row_account(s, b->account);
	if (b->hash != NULL)
		sq_column_copy(s, 3, b->hash, b->hashlen);
}

static void
fill_int(sqlite3_stmt *s, void *out)
{
	*(int64_t *)out = sqlite3_column_int64(s, 0);
}

/* ---- accounts ---- */

static int
account_insert(struct sq_conn *c, const char *email, const char *hash, struct account *out)
{
	sqlite3_stmt *s = sq_stmt(c, SQ_ACCOUNT_INSERT);
	int64_t now = util_now_ms();

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, email);
	sq_bind_text(s, 2, hash);
	sqlite3_bind_int64(s, 3, now);
	if (sq_exec(c, s) != 0)
		return -1;
	if (sqlite3_changes(c->db) == 0)
		return 1;
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_last_insert_rowid(c->db);
	util_strlcpy(out->email, email, sizeof(out->email));
	out->created_ms = now;
	return 0;
}

static int
member_upsert(struct sq_conn *c, int64_t project_id, int64_t account_id, int role)
{
	sqlite3_stmt *s = sq_stmt(c, SQ_MEMBER_UPSERT);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, account_id);
	sqlite3_bind_int64(s, 2, project_id);
	sqlite3_bind_int(s, 3, role);
	sqlite3_bind_int64(s, 4, util_now_ms());
	return sq_exec(c, s);
}

struct account_create_args {
	const char *email, *hash;
	struct account *out;
};

static int
account_create_tx(struct sq_conn *c, void *arg)
{
	struct account_create_args *a = arg;
	return account_insert(c, a->email, a->hash, a->out);
}

int
sq_account_create(struct store *base, const char *email, const char *password_hash,
    struct account *out)
{
	struct account_create_args a = { email, password_hash, out };
	return sq_write((struct sq_store *)base, account_create_tx, &a);
}

int
sq_account_by_email(struct store *base, const char *email, struct account *out, char *hash,
    size_t hashlen)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c = sq_read_acquire(st);
	struct by_email b = { out, hash, hashlen };
	sqlite3_stmt *s;
	int rc = -1;

	if (c != NULL && (s = sq_stmt(c, SQ_ACCOUNT_BY_EMAIL)) != NULL) {
		sq_bind_text(s, 1, email);
		rc = sq_one_row(c, s, fill_by_email, &b, "account by email");
	}
	sq_read_release(st, c);
	return rc;
}

int
sq_account_get(struct store *base, int64_t account_id, struct account *out)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c = sq_read_acquire(st);
	sqlite3_stmt *s;
	int rc = -1;

	if (c != NULL && (s = sq_stmt(c, SQ_ACCOUNT_BY_ID)) != NULL) {
		sqlite3_bind_int64(s, 1, account_id);
		rc = sq_one_row(c, s, fill_account, out, "account by id");
	}
	sq_read_release(st, c);
	return rc;
}

/* ---- signup and owned projects ---- */

struct signup_args {
	const struct signup *in;
	struct account *account;
	struct project *project;
	struct api_key *ingest, *secret;
};

/* 1 when an account has that email / a project that slug, 0 when not, -1. */
static int
taken(struct sq_conn *c, enum sq_stmt which, const char *value)
{
	struct account a;
	struct by_email b = { &a, NULL, 0 };
	struct project p;
	sqlite3_stmt *s = sq_stmt(c, which);
	int rc;

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, value);
	if (which == SQ_ACCOUNT_BY_EMAIL)
		rc = sq_one_row(c, s, fill_by_email, &b, "account by email");
	else
		rc = sq_one_row(c, s, sq_fill_project, &p, "project by slug");
	return rc < 0 ? -1 : rc == 0;
}

static int
signup_tx(struct sq_conn *c, void *arg)
{
	struct signup_args *a = arg;
	const struct signup *in = a->in;
	struct sq_project_create_args pa = { in->project_slug, in->project_name, a->project };
	struct sq_key_create_args ia = { 0, KEY_INGEST, "signup ingest", in->ingest_hash,
	    in->ingest_prefix, a->ingest };
	struct sq_key_create_args sa = { 0, KEY_SECRET, "signup secret", in->secret_hash,
	    in->secret_prefix, a->secret };
	int rc;

	if ((rc = taken(c, SQ_ACCOUNT_BY_EMAIL, in->email)) != 0)
		return rc;
	if ((rc = taken(c, SQ_PROJECT_BY_SLUG, in->project_slug)) != 0)
		return rc < 0 ? rc : 2;
	if (account_insert(c, in->email, in->password_hash, a->account) != 0 ||
	    sq_project_create_tx(c, &pa) != 0)
		return -1;      /* both were free a moment ago, in this transaction */
	ia.project_id = sa.project_id = a->project->id;
	if (member_upsert(c, a->project->id, a->account->id, ROLE_OWNER) != 0 ||
	    sq_key_create_tx(c, &ia) != 0 || sq_key_create_tx(c, &sa) != 0)
		return -1;
	return 0;
}

int
sq_signup(struct store *base, const struct signup *in, struct account *account,
    struct project *project, struct api_key *ingest, struct api_key *secret)
{
	struct signup_args a = { in, account, project, ingest, secret };
	return sq_write((struct sq_store *)base, signup_tx, &a);
}

struct owned_args {
	int64_t owner;
	struct sq_project_create_args p;
};

static int
owned_tx(struct sq_conn *c, void *arg)
{
	struct owned_args *a = arg;
	int rc = sq_project_create_tx(c, &a->p);

	if (rc != 0)
		return rc;      /* 1: slug taken, nothing written */
	return member_upsert(c, a->p.out->id, a->owner, ROLE_OWNER);
}

int
sq_project_create_owned(struct store *base, int64_t owner_id, const char *slug, const char *name,
    struct project *out)
{
	struct owned_args a = { owner_id, { slug, name, out } };
	return sq_write((struct sq_store *)base, owned_tx, &a);
}

/* ---- memberships ---- */

static int
role_in(struct sq_conn *c, int64_t account_id, int64_t project_id, int *role)
{
	sqlite3_stmt *s = sq_stmt(c, SQ_MEMBER_ROLE);
	int64_t v = ROLE_NONE;
	int rc;

	*role = ROLE_NONE;
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, account_id);
	sqlite3_bind_int64(s, 2, project_id);
	if ((rc = sq_one_row(c, s, fill_int, &v, "member role")) < 0)
		return -1;
	*role = rc == 0 ? (int)v : ROLE_NONE;
	return 0;
}

static int
owners(struct sq_conn *c, int64_t project_id, int64_t *n)
{
	sqlite3_stmt *s = sq_stmt(c, SQ_MEMBER_OWNERS);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, project_id);
	return sq_one_row(c, s, fill_int, n, "project owners") == 0 ? 0 : -1;
}

int
sq_member_role(struct store *base, int64_t account_id, int64_t project_id, int *role)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c = sq_read_acquire(st);
	int rc = c != NULL ? role_in(c, account_id, project_id, role) : -1;

	sq_read_release(st, c);
	return rc;
}

int
sq_members_list(struct store *base, int64_t project_id, store_member_cb cb, void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c = sq_read_acquire(st);
	sqlite3_stmt *s;
	int rc = -1, step;

	if (c == NULL || (s = sq_stmt(c, SQ_MEMBER_LIST)) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, project_id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct member m;
		memset(&m, 0, sizeof(m));
		m.account_id = sqlite3_column_int64(s, 0);
		sq_column_copy(s, 1, m.email, sizeof(m.email));
		m.role = sqlite3_column_int(s, 2);
		m.created_ms = sqlite3_column_int64(s, 3);
		if (cb(ctx, &m) != 0)
			break;
	}
	rc = (step == SQLITE_ROW || step == SQLITE_DONE) ? 0 : sq_fail(c, "member list");
	sqlite3_reset(s);
out:
	sq_read_release(st, c);
	return rc;
}

struct member_args {
	int64_t project_id, account_id;
	int role;               /* ROLE_NONE: remove */
};

/* 2 when the change would take the project's last owner away. */
static int
keeps_an_owner(struct sq_conn *c, const struct member_args *a)
{
	int64_t n = 0;
	int now;

	if (role_in(c, a->account_id, a->project_id, &now) != 0)
		return -1;
	if (now != ROLE_OWNER || a->role == ROLE_OWNER)
		return 0;
	if (owners(c, a->project_id, &n) != 0)
		return -1;
	return n <= 1 ? 2 : 0;
}

static int
member_set_tx(struct sq_conn *c, void *arg)
{
	struct member_args *a = arg;
	struct account acct;
	sqlite3_stmt *s = sq_stmt(c, SQ_ACCOUNT_BY_ID);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, a->account_id);
	if ((rc = sq_one_row(c, s, fill_account, &acct, "account by id")) != 0)
		return rc;
	if ((rc = keeps_an_owner(c, a)) != 0)
		return rc;
	return member_upsert(c, a->project_id, a->account_id, a->role);
}

int
sq_member_set(struct store *base, int64_t project_id, int64_t account_id, int role)
{
	struct member_args a = { project_id, account_id, role };
	return sq_write((struct sq_store *)base, member_set_tx, &a);
}

static int
member_remove_tx(struct sq_conn *c, void *arg)
{
	struct member_args *a = arg;
	sqlite3_stmt *s;
	int rc;

	if ((rc = keeps_an_owner(c, a)) != 0)
		return rc;
	if ((s = sq_stmt(c, SQ_MEMBER_DELETE)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, a->account_id);
	sqlite3_bind_int64(s, 2, a->project_id);
	if (sq_exec(c, s) != 0)
		return -1;
	return sqlite3_changes(c->db) == 1 ? 0 : 1;
}

int
sq_member_remove(struct store *base, int64_t project_id, int64_t account_id)
{
	struct member_args a = { project_id, account_id, ROLE_NONE };
	return sq_write((struct sq_store *)base, member_remove_tx, &a);
}

int
sq_account_projects(struct store *base, int64_t account_id, store_account_project_cb cb,
    void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c = sq_read_acquire(st);
	sqlite3_stmt *s;
	int rc = -1, step;

	if (c == NULL || (s = sq_stmt(c, SQ_ACCOUNT_PROJECTS)) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, account_id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct project p;
		sq_row_project(s, &p);
		if (cb(ctx, &p, sqlite3_column_int(s, 9)) != 0)
			break;
	}
	rc = (step == SQLITE_ROW || step == SQLITE_DONE) ? 0 : sq_fail(c, "account projects");
	sqlite3_reset(s);
out:
	sq_read_release(st, c);
	return rc;
}

/* ---- failed logins ---- */

struct failures {
	int64_t n, last;
};

static void
fill_failures(sqlite3_stmt *s, void *out)
{
	struct failures *f = out;
	f->n = sqlite3_column_int64(s, 0);
	f->last = sqlite3_column_int64(s, 1);
}

int
sq_login_failures(struct store *base, const char *scope, int64_t *failures, int64_t *last_ms)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c = sq_read_acquire(st);
	struct failures f = { 0, 0 };
	sqlite3_stmt *s;
	int rc = -1;

	if (c != NULL && (s = sq_stmt(c, SQ_LOGIN_FAILURES)) != NULL) {
		sq_bind_text(s, 1, scope);
		rc = sq_one_row(c, s, fill_failures, &f, "login failures") < 0 ? -1 : 0;
	}
	sq_read_release(st, c);
	*failures = f.n;
	*last_ms = f.last;
	return rc;
}

struct failure_args {
	const char *scope;
	int64_t now, fresh_after, *failures;
};

static int
failure_add_tx(struct sq_conn *c, void *arg)
{
	struct failure_args *a = arg;
	sqlite3_stmt *s = sq_stmt(c, SQ_LOGIN_FAILURE_ADD);

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, a->scope);
	sqlite3_bind_int64(s, 2, a->now);
	sqlite3_bind_int64(s, 3, a->fresh_after);
	return sq_one_row(c, s, fill_int, a->failures, "login failure") == 0 ? 0 : -1;
}

int
sq_login_failure_add(struct store *base, const char *scope, int64_t now_ms,
    int64_t fresh_after_ms, int64_t *failures)
{
	struct failure_args a = { scope, now_ms, fresh_after_ms, failures };
	return sq_write((struct sq_store *)base, failure_add_tx, &a);
}

struct scope_args {
	enum sq_stmt which;
	const char *scope;
	int64_t last;
};

static int
scope_tx(struct sq_conn *c, void *arg)
{
	struct scope_args *a = arg;
	sqlite3_stmt *s = sq_stmt(c, a->which);
	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, a->scope);
	if (a->which == SQ_LOGIN_FAILURE_UNDO)
		sqlite3_bind_int64(s, 2, a->last);
	return sq_exec(c, s);
}

int
sq_login_failures_clear(struct store *base, const char *scope)
{
	struct scope_args a = { SQ_LOGIN_FAILURES_CLEAR, scope, 0 };
	return sq_write((struct sq_store *)base, scope_tx, &a);
}

int
sq_login_failure_undo(struct store *base, const char *scope, int64_t last_ms)
{
	struct scope_args a = { SQ_LOGIN_FAILURE_UNDO, scope, last_ms };
	return sq_write((struct sq_store *)base, scope_tx, &a);
}

struct expire_args {
	int64_t before, *n;
};

static int
expire_tx(struct sq_conn *c, void *arg)
{
	struct expire_args *a = arg;
	sqlite3_stmt *s = sq_stmt(c, SQ_LOGIN_FAILURES_EXPIRE);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, a->before);
	if (sq_exec(c, s) != 0)
		return -1;
	*a->n = sqlite3_changes(c->db);
	return 0;
}

int
sq_login_failures_expire(struct store *base, int64_t before_ms, int64_t *n)
{
	struct expire_args a = { before_ms, n };
	*n = 0;
	return sq_write((struct sq_store *)base, expire_tx, &a);
}
