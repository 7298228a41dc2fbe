/* sq_users: user profiles (traits, linked ids, activity) and their erasure. */
#include "sq.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ALIASES 256     /* a profile lists at most this many linked ids */

struct id_set {
	char *ids[MAX_ALIASES + 1];     /* [0] is the user id itself */
	size_t n;
};

static void
id_set_free(struct id_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->ids[i]);
	set->n = 0;
}

/* The user id followed by every id linked to it. */
static int
load_ids(struct sq_conn *c, int64_t project_id, const char *user_id, struct id_set *set)
{
	sqlite3_stmt *s = sq_stmt(c, SQ_USER_ALIASES);
	int step;

	set->n = 0;
	if (s == NULL || (set->ids[set->n++] = strdup(user_id)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, project_id);
	sq_bind_text(s, 2, user_id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW && set->n <= MAX_ALIASES) {
		char *a = strdup((const char *)sqlite3_column_text(s, 0));
		if (a == NULL)
			break;
		set->ids[set->n++] = a;
	}
	sqlite3_reset(s);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return sq_fail(c, "user aliases");
	return 0;
}

int
sq_user_get(struct store *base, int64_t project_id, const char *user_id,
    store_user_cb cb, void *ctx)
{
	struct sq_store *st = (struct sq_store *)base;
	struct sq_conn *c = sq_read_acquire(st);
	struct id_set set = { { 0 }, 0 };
	struct user_profile u;
	char *traits = NULL;
	sqlite3_stmt *s;
	int rc = -1, have_profile = 0;

	memset(&u, 0, sizeof(u));
	if (c == NULL || load_ids(c, project_id, user_id, &set) != 0)
		goto out;
	if ((s = sq_stmt(c, SQ_USER_PROFILE)) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, project_id);
	sq_bind_text(s, 2, user_id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		have_profile = 1;
		traits = strdup((const char *)sqlite3_column_text(s, 0));
	}
	sqlite3_reset(s);
	if ((s = sq_stmt(c, SQ_USER_EVENT_STATS)) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, project_id);
	sq_bind_text(s, 2, user_id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		u.event_count = sqlite3_column_int64(s, 0);
		u.first_seen_ms = sqlite3_column_int64(s, 1);
		u.last_seen_ms = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	if (!have_profile && u.event_count == 0) {
		rc = 1;
		goto out;
	}
	u.user_id = user_id;
	u.traits = traits ? traits : "{}";
	u.aliases = (const char *const *)set.ids + 1;
	u.naliases = set.n - 1;
	rc = cb(ctx, &u) < 0 ? -1 : 0;
out:
	free(traits);
	id_set_free(&set);
	sq_read_release(st, c);
	return rc;
}

struct delete_args {
	int64_t project_id;
	const char *user_id;
	struct user_erase_counts counts;
};

static int
run_delete(struct sq_conn *c, enum sq_stmt id, int64_t project_id, const char *v, int64_t *count)
{
	sqlite3_stmt *s = sq_stmt(c, id);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, project_id);
	sq_bind_text(s, 2, v);
	if (sq_exec(c, s) != 0)
		return -1;
	*count += sqlite3_changes(c->db);
	return 0;
}

/* Each statement finds the linked ids through aliases itself, so aliases go last. */
static int
delete_tx(struct sq_conn *c, void *arg)
{
	struct delete_args *a = arg;
	int64_t ignored = 0;

	memset(&a->counts, 0, sizeof(a->counts));
	if (run_delete(c, SQ_USER_DEL_EVENTS, a->project_id, a->user_id, &a->counts.events) ||
	    run_delete(c, SQ_USER_DEL_PROFILE, a->project_id, a->user_id, &a->counts.profiles) ||
	    run_delete(c, SQ_USER_DEL_FIRST, a->project_id, a->user_id, &ignored) ||
	    run_delete(c, SQ_USER_DEL_WEEKS, a->project_id, a->user_id, &ignored) ||
	    run_delete(c, SQ_USER_DEL_ALIASES, a->project_id, a->user_id, &a->counts.aliases))
		return -1;
	return 0;
}

int
sq_user_delete(struct store *base, int64_t project_id, const char *user_id,
    struct user_erase_counts *out)
{
	struct delete_args a = { project_id, user_id, { 0, 0, 0 } };
	int rc = sq_write((struct sq_store *)base, delete_tx, &a);
	*out = a.counts;
	return rc;
}
