/* sq_keys: projects and API keys. */
#include "sq.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"

/* last_used_at is precise to a minute: a write per request would halve ingest. */
#define KEY_TOUCH_EVERY_MS 60000

/*
 * Key cache. A SQLite read per request costs more than the rest of an
 * ingest, so each process keeps the keys it has seen. Revocation must still
 * bite on the next request in every process: whoever changes a key bumps a
 * counter in a small file beside the database that every process maps
 * (sq_shared.c); an entry is used only while the counter still
 * has the value it had before the entry was read. Entries also expire after
 * a minute, bounding what a change made behind tally's back could leave.
 */
#define KEY_CACHE_SLOTS 256
#define KEY_CACHE_TTL_MS 60000

struct sq_key_cache_entry {
	char hash[65];
	struct auth_ctx ctx;
	int64_t last_used_ms;
	uint64_t epoch;
	int64_t loaded_ms;
};

void
sq_key_cache_init(struct sq_store *st)
{
	if (st->shared != NULL)
		st->key_cache = calloc(KEY_CACHE_SLOTS, sizeof(*st->key_cache));
}

static struct sq_key_cache_entry *
cache_slot(struct sq_store *st, const char *hash)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++)
		v = v * 16 + (unsigned)util_hexval(hash[i]);
	return &st->key_cache[v % KEY_CACHE_SLOTS];
}

void
sq_fill_project(sqlite3_stmt *s, void *out)
{
	sq_row_project(s, out);
}

void
sq_row_project(sqlite3_stmt *s, struct project *p)
{
	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(s, 0);
	sq_column_copy(s, 1, p->slug, sizeof(p->slug));
	sq_column_copy(s, 2, p->name, sizeof(p->name));
	p->created_ms = sqlite3_column_int64(s, 3);
	p->retention_days = sqlite3_column_int64(s, 4);
	p->rate_limit_per_min = sqlite3_column_int64(s, 5);
	p->rate_limit_per_ip_per_min = sqlite3_column_int64(s, 6);
	p->rate_limit_project_per_min = sqlite3_column_int64(s, 7);
	sq_column_copy(s, 8, p->allowed_origins, sizeof(p->allowed_origins));
}

int
sq_project_create_tx(struct sq_conn *c, void *arg)
{
	struct sq_project_create_args *a = arg;
	sqlite3_stmt *s = sq_stmt(c, SQ_PROJECT_INSERT);
	int64_t now = util_now_ms();

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, a->slug);
	sq_bind_text(s, 2, a->name);
	sqlite3_bind_int64(s, 3, now);
	if (sq_exec(c, s) != 0)
		return -1;
	if (sqlite3_changes(c->db) == 0)
		return 1;
	memset(a->out, 0, sizeof(*a->out));
	a->out->id = sqlite3_last_insert_rowid(c->db);
	util_strlcpy(a->out->slug, a->slug, sizeof(a->out->slug));
	util_strlcpy(a->out->name, a->name, sizeof(a->out->name));
	a->out->created_ms = now;
	a->out->retention_days = a->out->rate_limit_per_min = -1;
	a->out->rate_limit_per_ip_per_min = a->out->rate_limit_project_per_min = -1;
	util_strlcpy(a->out->allowed_origins, "[]", sizeof(a->out->allowed_origins));
	return 0;
}

int
sq_project_create(struct store *base, const char *slug, const char *name, struct project *out)
{
	struct sq_project_create_args a = { slug, name, out };
	return sq_write((struct sq_store *)base, sq_project_create_tx, &a);
}

int
sq_project_get(struct store *base, const char *slug, struct project *out)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c = sq_read_acquire(st);
	sqlite3_stmt *s;
	int rc = -1;

	if (c != NULL && (s = sq_stmt(c, SQ_PROJECT_BY_SLUG)) != NULL) {
		sq_bind_text(s, 1, slug);
		rc = sq_one_row(c, s, sq_fill_project, out, "project get");
	}
	sq_read_release(st, c);
	return rc;
}

/* A project by id (sq_accounts.c and the update below): 0, 1 when none, -1. */
int
sq_project_by_id(struct sq_conn *c, int64_t id, struct project *out)
{
	sqlite3_stmt *s = sq_stmt(c, SQ_PROJECT_BY_ID);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	return sq_one_row(c, s, sq_fill_project, out, "project by id");
}

struct project_update_args {
	int64_t id;
	const struct project_update *u;
	struct project *out;
};

static void
bind_setting(sqlite3_stmt *s, int i, int set, int64_t v)
{
	sqlite3_bind_int(s, i, set);
	if (set && v >= 0)
		sqlite3_bind_int64(s, i + 1, v);
	else
		sqlite3_bind_null(s, i + 1);
}

static int
project_update_tx(struct sq_conn *c, void *arg)
{
	struct project_update_args *a = arg;
	const struct project_update *u = a->u;
	sqlite3_stmt *s = sq_stmt(c, SQ_PROJECT_UPDATE);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, a->id);
	if (u->name != NULL)
		sq_bind_text(s, 2, u->name);
	bind_setting(s, 3, u->set_retention, u->retention_days);
	bind_setting(s, 5, u->set_rate_key, u->rate_limit_per_min);
	bind_setting(s, 7, u->set_rate_ip, u->rate_limit_per_ip_per_min);
	bind_setting(s, 9, u->set_rate_project, u->rate_limit_project_per_min);
	if (u->allowed_origins != NULL)
		sq_bind_text(s, 11, u->allowed_origins);
	if (sq_exec(c, s) != 0)
		return -1;
	if (sqlite3_changes(c->db) == 0)
		return 1;
	return sq_project_by_id(c, a->id, a->out);
}

int
sq_project_update(struct store *base, int64_t project_id, const struct project_update *u,
    struct project *out)
{
	struct sq_store *st = (struct sq_store *)base;
	struct project_update_args a = { project_id, u, out };
	int rc = sq_write(st, project_update_tx, &a);
	if (rc == 0)
		sq_key_epoch_bump(st);     /* cached keys carry the project's limits */
	return rc;
}

int
sq_project_list(struct store *base, store_project_cb cb, void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c = sq_read_acquire(st);
	sqlite3_stmt *s;
	int rc = -1, step;

	if (c == NULL || (s = sq_stmt(c, SQ_PROJECT_LIST)) == NULL)
		goto out;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct project p;
		sq_row_project(s, &p);
		if (cb(ctx, &p) != 0)
			break;
	}
	rc = (step == SQLITE_ROW || step == SQLITE_DONE) ? 0 : sq_fail(c, "project list");
	sqlite3_reset(s);
out:
	sq_read_release(st, c);
	return rc;
}

int
sq_key_create_tx(struct sq_conn *c, void *arg)
{
	struct sq_key_create_args *a = arg;
	sqlite3_stmt *s = sq_stmt(c, SQ_KEY_INSERT);
	int64_t now = util_now_ms();

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, a->project_id);
	sqlite3_bind_int(s, 2, a->kind);
	sq_bind_text(s, 3, a->name ? a->name : "");
	sq_bind_text(s, 4, a->prefix);
	sq_bind_text(s, 5, a->hash);
	sqlite3_bind_int64(s, 6, now);
	if (sq_exec(c, s) != 0)
		return -1;
	memset(a->out, 0, sizeof(*a->out));
	a->out->id = sqlite3_last_insert_rowid(c->db);
	a->out->project_id = a->project_id;
	a->out->kind = a->kind;
	util_strlcpy(a->out->prefix, a->prefix, sizeof(a->out->prefix));
	util_strlcpy(a->out->name, a->name ? a->name : "", sizeof(a->out->name));
	a->out->created_ms = now;
	return 0;
}

int
sq_key_create(struct store *base, int64_t project_id, int kind, const char *name,
    const char *hash, const char *prefix, struct api_key *out)
{
	struct sq_key_create_args a = { project_id, kind, name, hash, prefix, out };
	return sq_write((struct sq_store *)base, sq_key_create_tx, &a);
}

int
sq_key_list(struct store *base, int64_t project_id, store_key_cb cb, void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c = sq_read_acquire(st);
	sqlite3_stmt *s;
	int rc = -1, step;

	if (c == NULL || (s = sq_stmt(c, project_id ? SQ_KEY_LIST : SQ_KEY_LIST_ALL)) == NULL)
		goto out;
	if (project_id)
		sqlite3_bind_int64(s, 1, project_id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct api_key k;
		memset(&k, 0, sizeof(k));
		k.id = sqlite3_column_int64(s, 0);
		k.project_id = sqlite3_column_int64(s, 1);
		k.kind = sqlite3_column_int(s, 2);
		sq_column_copy(s, 3, k.prefix, sizeof(k.prefix));
		sq_column_copy(s, 4, k.name, sizeof(k.name));
		k.created_ms = sqlite3_column_int64(s, 5);
		k.last_used_ms = sqlite3_column_int64(s, 6);
		k.revoked_ms = sqlite3_column_int64(s, 7);
		sq_column_copy(s, 8, k.project_slug, sizeof(k.project_slug));
		if (cb(ctx, &k) != 0)
			break;
	}
	rc = (step == SQLITE_ROW || step == SQLITE_DONE) ? 0 : sq_fail(c, "key list");
	sqlite3_reset(s);
out:
	sq_read_release(st, c);
	return rc;
}

struct key_revoke_args {
	int64_t project_id, id;
};

static int
key_revoke_tx(struct sq_conn *c, void *arg)
{
	struct key_revoke_args *a = arg;
	sqlite3_stmt *s = sq_stmt(c, SQ_KEY_REVOKE);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, a->id);
	sqlite3_bind_int64(s, 2, util_now_ms());
	sqlite3_bind_int64(s, 3, a->project_id);
	if (sq_exec(c, s) != 0)
		return -1;
	return sqlite3_changes(c->db) == 1 ? 0 : 1;
}

int
sq_key_revoke(struct store *base, int64_t project_id, int64_t key_id)
{
	struct sq_store *st = (struct sq_store *)base;
	struct key_revoke_args a = { project_id, key_id };
	int rc = sq_write(st, key_revoke_tx, &a);
	if (rc == 0)
		sq_key_epoch_bump(st);     /* after the commit: a reload sees the revocation */
	return rc;
}

struct key_touch_args {
	int64_t id, now;
};

static int
key_touch_tx(struct sq_conn *c, void *arg)
{
	struct key_touch_args *a = arg;
	sqlite3_stmt *s = sq_stmt(c, SQ_KEY_TOUCH);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, a->id);
	sqlite3_bind_int64(s, 2, a->now);
	return sq_exec(c, s);
}

int
sq_key_auth(struct store *base, const char *hash, struct auth_ctx *out)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c;
	sqlite3_stmt *s;
	int rc = -1, step;
	int64_t last_used = 0, now = util_now_ms();
	uint64_t epoch = 0;
	struct sq_key_cache_entry *slot = NULL;

	memset(out, 0, sizeof(*out));
	if (st->shared != NULL && st->key_cache != NULL) {
		/* read the epoch before the database: a change after it forces a reload */
		epoch = sq_key_epoch(st);
		slot = cache_slot(st, hash);
		pthread_mutex_lock(&st->key_cache_mu);
		if (strcmp(slot->hash, hash) == 0 && slot->epoch == epoch &&
		    now - slot->loaded_ms < KEY_CACHE_TTL_MS) {
			*out = slot->ctx;
			last_used = slot->last_used_ms;
			if (now - last_used >= KEY_TOUCH_EVERY_MS)
				slot->last_used_ms = now;
			pthread_mutex_unlock(&st->key_cache_mu);
			rc = 0;
			goto touch;
		}
		pthread_mutex_unlock(&st->key_cache_mu);
	}
	c = sq_read_acquire(st);
	if (c == NULL || (s = sq_stmt(c, SQ_KEY_AUTH)) == NULL)
		goto out;
	sq_bind_text(s, 1, hash);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		out->key_id = sqlite3_column_int64(s, 0);
		out->project_id = sqlite3_column_int64(s, 1);
		out->kind = sqlite3_column_int(s, 2);
		last_used = sqlite3_column_int64(s, 3);
		sq_column_copy(s, 4, out->project_slug, sizeof(out->project_slug));
		out->ip_anonymize = sqlite3_column_int(s, 5);
		out->rate_key = sqlite3_column_int64(s, 6);
		out->rate_ip = sqlite3_column_int64(s, 7);
		out->rate_project = sqlite3_column_int64(s, 8);
		sq_column_copy(s, 9, out->allowed_origins, sizeof(out->allowed_origins));
		rc = 0;
	} else if (step == SQLITE_DONE)
		rc = 1;
	else
		sq_fail(c, "key auth");
	sqlite3_reset(s);
	if (rc == 0 && slot != NULL) {
		pthread_mutex_lock(&st->key_cache_mu);
		util_strlcpy(slot->hash, hash, sizeof(slot->hash));
		slot->ctx = *out;
		slot->last_used_ms = now - last_used >= KEY_TOUCH_EVERY_MS ? now : last_used;
		slot->epoch = epoch;
		slot->loaded_ms = now;
		pthread_mutex_unlock(&st->key_cache_mu);
	}
out:
	sq_read_release(st, c);
touch:
	if (rc == 0 && now - last_used >= KEY_TOUCH_EVERY_MS) {
		/* queued for the next commit (or the housekeeping thread); nobody waits */
		struct key_touch_args *a = malloc(sizeof(*a));
		if (a != NULL) {
			a->id = out->key_id;
			a->now = now;
			sq_write_detached(st, key_touch_tx, a);
		}
	}
	return rc;
}
