/*
 * sq_rollup: the event rollups (SPEC §11) and the user tables retention
 * reads, kept in the same transaction as the raw rows.
 *
 * An insert job notes what each accepted event adds (sq_rollup_note); a job
 * that succeeds hands its notes to the transaction (sq_rollup_adopt); the
 * commit leader writes them once, just before COMMIT (sq_rollup_flush). So
 * a hundred one-event requests sharing a group commit update the busy
 * rows (the project's hour, the page view's hour) once, not a hundred
 * times, and a job rolled back to its savepoint leaves nothing behind.
 */
#include "sq.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "hll.h"
#include "log.h"
#include "util.h"

#define MAX_PROPS 16            /* properties rolled up per event */
#define MAX_PROP_KEY 64
#define MAX_PROP_VALUE 100
#define MAX_URL 300

const char *
sq_event_key(const struct event *e)
{
	static const char *const names[EV__COUNT] = {
		NULL, "$pageview", "$screen", "$identify", "$group", "$alias",
	};
	if (e->type == EV_TRACK || e->type < 0 || e->type >= EV__COUNT)
		return e->event;
	return names[e->type];
}

const char *
sq_user_key(const struct event *e)
{
	return e->user_id ? e->user_id : e->anonymous_id ? e->anonymous_id : e->session_id;
}

int64_t
sq_week_start(int64_t t)
{
	int64_t b[SQ_GRAINS];
	sq_grain_buckets(t, b);
	return b[SQ_GRAIN_WEEK];
}

/* ---- notes: what one accepted event adds ---- */

struct note {
	struct note *next;
	int64_t project_id, ts;
	const char *name, *user, *session, *url, *referrer, *shop;   /* NULL: none */
	const char *prop_key[MAX_PROPS], *prop_value[MAX_PROPS];   /* keys as "p.KEY" */
	int nprops;
	char text[];            /* the strings above */
};

struct sq_rollup_notes {
	struct note *head, **tail;
};

struct sq_rollup_notes *
sq_rollup_notes_new(void)
{
	struct sq_rollup_notes *n = calloc(1, sizeof(*n));
	if (n)
		n->tail = &n->head;
	return n;
}

void
sq_rollup_notes_free(struct sq_rollup_notes *n)
{
	if (n == NULL)
		return;
	for (struct note *x = n->head, *next; x; x = next) {
		next = x->next;
		free(x);
	}
	free(n);
}

/* The strings of a note, gathered before its one allocation. */
struct draft {
	const char *s[6];
	size_t len[6];
	char host[256];
	const char *pk[MAX_PROPS], *pv[MAX_PROPS];
	size_t pkl[MAX_PROPS], pvl[MAX_PROPS];
	char num[MAX_PROPS][32];
	int nprops;
};

/* The host of an absolute http(s) URL into out; 0, or -1 when there is none. */
static int
url_host(const char *url, char *out, size_t outsz)
{
	const char *p = strstr(url, "://"), *end;
	size_t n;

	if (p == NULL)
		return -1;
	p += 3;
	end = p + strcspn(p, "/?#:");
	n = (size_t)(end - p);
	if (n == 0 || n >= outsz)
		return -1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
	out[n] = '\0';
	return 0;
}

static const char *
json_str(json_object *o, const char *key)
{
	json_object *v;
	if (o == NULL || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* URL without query and fragment; its length (0: none). */
static size_t
url_len(const char *url)
{
	size_t n = url ? strcspn(url, "?#") : 0;
	return n > MAX_URL || n == 0 ? 0 : n;
}

/* The page dimensions from context.page (the tracker, Segment page calls) or properties. */
static void
draft_page(struct draft *d, json_object *ctx, json_object *props, int is_page)
{
	json_object *page = NULL;
	const char *url, *ref;
	char own[256];

	if (ctx)
		json_object_object_get_ex(ctx, "page", &page);
	url = json_str(page, "url");
	ref = json_str(page, "referrer");
	if (url == NULL && is_page) {
		url = json_str(props, "url");
		ref = ref ? ref : json_str(props, "referrer");
	}
	if ((d->len[3] = url_len(url)) == 0)
		return;
	d->s[3] = url;
	/* a browser event: its referrer host, '' for direct and for the site's own pages */
	d->host[0] = '\0';
	if (ref && *ref && url_host(ref, d->host, sizeof(d->host)) == 0 &&
	    url_host(url, own, sizeof(own)) == 0 && strcmp(own, d->host) == 0)
		d->host[0] = '\0';
	d->s[4] = d->host;
	d->len[4] = strlen(d->host);
}

static void
draft_props(struct draft *d, json_object *props)
{
	if (props == NULL || !json_object_is_type(props, json_type_object))
		return;
	json_object_object_foreach(props, k, v) {
		const char *val;
		size_t kl = strlen(k), vl;

		if (d->nprops == MAX_PROPS)
			break;
		if (kl == 0 || kl > MAX_PROP_KEY || v == NULL)
			continue;
		switch (json_object_get_type(v)) {
		case json_type_string:
			val = json_object_get_string(v);
			break;
		case json_type_boolean:
			val = json_object_get_boolean(v) ? "true" : "false";
			break;
		case json_type_int:
		case json_type_double:
			/* the number as the client wrote it (json-c keeps the text) */
			snprintf(d->num[d->nprops], sizeof(d->num[0]), "%s", json_object_to_json_string(v));
			val = d->num[d->nprops];
			break;
		default:
			continue;
		}
		if ((vl = strlen(val)) > MAX_PROP_VALUE)
			continue;
		d->pk[d->nprops] = k;
		d->pkl[d->nprops] = kl;
		d->pv[d->nprops] = val;
		d->pvl[d->nprops] = vl;
		d->nprops++;
	}
}

static const char *
put(char **p, const char *s, size_t n)
{
	char *out = *p;
	if (s == NULL)
		return NULL;
	memcpy(out, s, n);
	out[n] = '\0';
	*p += n + 1;
	return out;
}

int
sq_rollup_note(struct sq_rollup_notes *notes, int64_t project_id, const struct event *e)
{
	struct draft d;
	json_object *ctx = NULL, *props = NULL;
	struct note *x;
	size_t total = 0;
	char *p;
	int rc = 0;

	memset(&d, 0, sizeof(d));
	d.s[0] = sq_event_key(e);
	d.s[1] = sq_user_key(e);
	d.s[2] = e->session_id;
	d.s[5] = e->shop_id;
	if (e->context)
		ctx = json_tokener_parse(e->context);
	if (e->properties)
		props = json_tokener_parse(e->properties);
	draft_page(&d, ctx, props, e->type == EV_PAGE);
	if (d.s[0] != NULL)
		draft_props(&d, props);
	for (int i = 0; i < 6; i++) {
		if (d.s[i] && i != 3 && i != 4)
			d.len[i] = strlen(d.s[i]);
		total += d.s[i] ? d.len[i] + 1 : 0;
	}
	for (int i = 0; i < d.nprops; i++)
		total += 2 + d.pkl[i] + d.pvl[i] + 2;
	if ((x = calloc(1, sizeof(*x) + total)) == NULL) {
		rc = -1;
		goto out;
	}
	x->project_id = project_id;
	x->ts = e->ts_ms;
	p = x->text;
	x->name = put(&p, d.s[0], d.len[0]);
	x->user = put(&p, d.s[1], d.len[1]);
	x->session = put(&p, d.s[2], d.len[2]);
	x->url = put(&p, d.s[3], d.len[3]);
	x->referrer = put(&p, d.s[4], d.len[4]);
	x->shop = put(&p, d.s[5], d.len[5]);
	for (int i = 0; i < d.nprops; i++) {
		/* the dimension's name: "p." and the key */
		x->prop_key[i] = p;
		memcpy(p, "p.", 2);
		p += 2;
		put(&p, d.pk[i], d.pkl[i]);
		x->prop_value[i] = put(&p, d.pv[i], d.pvl[i]);
	}
	x->nprops = d.nprops;
	*notes->tail = x;
	notes->tail = &x->next;
out:
	json_object_put(ctx);
	json_object_put(props);
	return rc;
}

void
sq_rollup_adopt(struct sq_rollup_notes *into, struct sq_rollup_notes *from)
{
	if (from == NULL || from->head == NULL)
		return;
	*into->tail = from->head;
	into->tail = from->tail;
	from->head = NULL;
	from->tail = &from->head;
}

void
sq_rollup_discard(struct sq_rollup_notes *n)
{
	if (n == NULL)
		return;
	for (struct note *x = n->head, *next; x; x = next) {
		next = x->next;
		free(x);
	}
	n->head = NULL;
	n->tail = &n->head;
}

/* ---- the rows a transaction touches ---- */

struct row {
	int64_t project_id, bucket;
	int grain;
	const char *dim, *event, *value;        /* borrowed from the notes; "" for none */
	int64_t events;
	struct hll *users, *sessions;
	uint64_t hash;
};

struct rows {
	struct row *r;
	size_t n, cap, *slots, nslots;
};

static uint64_t
row_hash(int64_t project_id, int grain, int64_t bucket, const char *dim, const char *event,
    const char *value)
{
	uint64_t h = (uint64_t)project_id * 0x9e3779b97f4a7c15ULL ^ (uint64_t)bucket ^ (uint64_t)grain;
	h = h * 31 + (uint64_t)util_hash64(dim, strlen(dim));
	h = h * 31 + (uint64_t)util_hash64(event, strlen(event));
	return h * 31 + (uint64_t)util_hash64(value, strlen(value));
}

static struct row *
row_get(struct rows *m, int64_t project_id, int grain, int64_t bucket, const char *dim,
    const char *event, const char *value)
{
	uint64_t h = row_hash(project_id, grain, bucket, dim, event, value);
	struct row *r;
	size_t j;

	if (m->n >= m->cap) {
		if ((r = sq_map_grow(m->r, sizeof(*m->r), offsetof(struct row, hash), m->n, &m->cap,
		    &m->slots, &m->nslots, 256)) == NULL)
			return NULL;
		m->r = r;
	}
	for (j = h & (m->nslots - 1); m->slots[j]; j = (j + 1) & (m->nslots - 1)) {
		r = &m->r[m->slots[j] - 1];
		if (r->hash == h && r->project_id == project_id && r->grain == grain &&
		    r->bucket == bucket && strcmp(r->dim, dim) == 0 && strcmp(r->event, event) == 0 &&
		    strcmp(r->value, value) == 0)
			return r;
	}
	r = &m->r[m->n];
	memset(r, 0, sizeof(*r));
	r->project_id = project_id;
	r->grain = grain;
	r->bucket = bucket;
	r->dim = dim;
	r->event = event;
	r->value = value;
	r->hash = h;
	if ((r->users = hll_new()) == NULL || (r->sessions = hll_new()) == NULL) {
		hll_free(r->users);
		return NULL;
	}
	m->slots[j] = ++m->n;
	return r;
}

static void
rows_free(struct rows *m)
{
	for (size_t i = 0; i < m->n; i++) {
		hll_free(m->r[i].users);
		hll_free(m->r[i].sessions);
	}
	free(m->r);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static int
row_add(struct rows *m, const struct note *x, int grain, int64_t bucket, const char *dim,
    const char *event, const char *value, uint64_t uh, uint64_t sh)
{
	struct row *r = row_get(m, x->project_id, grain, bucket, dim, event, value);
	if (r == NULL)
		return -1;
	r->events++;
	if (x->user && hll_add(r->users, uh) != 0)
		return -1;
	if (x->session && hll_add(r->sessions, sh) != 0)
		return -1;
	return 0;
}

/* Every row one note adds to, at one grain (SQ_GRAIN_*). */
static int
note_rows(struct rows *m, const struct note *x, int grain)
{
	int64_t buckets[SQ_GRAINS], bucket;
	uint64_t uh = x->user ? hll_hash(x->user, strlen(x->user)) : 0;
	uint64_t sh = x->session ? hll_hash(x->session, strlen(x->session)) : 0;
	const char *name = x->name;
	/* the dimensions with an all-events copy, and their values */
	const char *dims[3] = { "url", "referrer", "shop" };
	const char *vals[3] = { x->url, x->referrer, x->shop };

	sq_grain_buckets(x->ts, buckets);
	bucket = buckets[grain];

	if (row_add(m, x, grain, bucket, "", "", "", uh, sh) != 0)
		return -1;
	if (name && row_add(m, x, grain, bucket, "", name, "", uh, sh) != 0)
		return -1;
	for (int i = 0; i < 3; i++) {
		if (vals[i] == NULL)
			continue;
		if (row_add(m, x, grain, bucket, dims[i], "", vals[i], uh, sh) != 0 ||
		    (name && row_add(m, x, grain, bucket, dims[i], name, vals[i], uh, sh) != 0))
			return -1;
	}
	for (int i = 0; i < x->nprops; i++)
		if (row_add(m, x, grain, bucket, x->prop_key[i], name, x->prop_value[i], uh, sh) != 0)
			return -1;
	return 0;
}

static int
bind_sketch(sqlite3_stmt *s, int i, const struct hll *h)
{
	unsigned char *blob;
	size_t n;

	if (hll_serialize(h, &blob, &n) != 0)
		return -1;
	if (n == 0)
		sqlite3_bind_zeroblob(s, i, 0);
	else
		sqlite3_bind_blob(s, i, blob, (int)n, free);
	return 0;
}

static int
rows_write(struct sq_conn *c, const struct rows *m)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct row *r = &m->r[i];
		sqlite3_stmt *s = sq_stmt(c, SQ_EROLLUP_UPSERT);
		if (s == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, r->project_id);
		sqlite3_bind_int(s, 2, r->grain);
		sqlite3_bind_text(s, 3, r->dim, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, r->event, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, r->bucket);
		sqlite3_bind_text(s, 6, r->value, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 7, r->events);
		if (bind_sketch(s, 8, r->users) != 0 || bind_sketch(s, 9, r->sessions) != 0) {
			sqlite3_reset(s);
			log_msg(LOG_ERROR, "%s", "event rollup: out of memory");
			return -1;
		}
		if (sq_exec(c, s) != 0)
			return -1;
	}
	return 0;
}

static int
by_dim_event(const void *a, const void *b)
{
	const struct row *x = *(const struct row *const *)a, *y = *(const struct row *const *)b;
	int d = x->project_id < y->project_id ? -1 : x->project_id > y->project_id;
	if (d == 0)
		d = strcmp(x->dim, y->dim);
	return d ? d : strcmp(x->event, y->event);
}

/* The event names each dimension has rows for (event_names), each (project, dim, name) once. */
static int
names_write(struct sq_conn *c, const struct rows *m)
{
	const struct row **ix = malloc((m->n ? m->n : 1) * sizeof(*ix));
	size_t k = 0;
	int rc = 0;

	if (ix == NULL)
		return -1;
	for (size_t i = 0; i < m->n; i++)
		if (m->r[i].grain == SQ_GRAIN_DAY && *m->r[i].event)   /* as many as the other grains */
			ix[k++] = &m->r[i];
	qsort(ix, k, sizeof(*ix), by_dim_event);
	for (size_t i = 0; i < k && rc == 0; i++) {
		sqlite3_stmt *s;
		if (i > 0 && by_dim_event(&ix[i - 1], &ix[i]) == 0)
			continue;
		if ((s = sq_stmt(c, SQ_EVENT_NAME_INSERT)) == NULL) {
			rc = -1;
			break;
		}
		sqlite3_bind_int64(s, 1, ix[i]->project_id);
		sqlite3_bind_text(s, 2, ix[i]->dim, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, ix[i]->event, -1, SQLITE_STATIC);
		rc = sq_exec(c, s);
	}
	free(ix);
	return rc;
}

static int
by_user_time(const void *a, const void *b)
{
	const struct note *x = *(const struct note *const *)a, *y = *(const struct note *const *)b;
	int d = x->project_id < y->project_id ? -1 : x->project_id > y->project_id;
	if (d == 0)
		d = strcmp(x->user, y->user);
	return d ? d : (x->ts < y->ts ? -1 : x->ts > y->ts);
}

static int
user_row(struct sq_conn *c, enum sq_stmt id, const struct note *x, int64_t t)
{
	sqlite3_stmt *s = sq_stmt(c, id);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, x->project_id);
	sqlite3_bind_text(s, 2, x->user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, t);
	return sq_exec(c, s);
}

/*
 * The retention tables: each user once per transaction with its earliest
 * time, and each of its weeks once (a visit is several events of one user
 * in one commit; each row written is a probe of a randomly keyed index).
 */
static int
users_write(struct sq_conn *c, const struct sq_rollup_notes *n)
{
	const struct note **ix;
	size_t k = 0, cap = 0;
	int rc = 0;

	for (const struct note *x = n->head; x; x = x->next)
		cap += x->user != NULL;
	if (cap == 0)
		return 0;
	if ((ix = malloc(cap * sizeof(*ix))) == NULL)
		return -1;
	for (const struct note *x = n->head; x; x = x->next)
		if (x->user != NULL)
			ix[k++] = x;
	qsort(ix, k, sizeof(*ix), by_user_time);
	for (size_t i = 0; i < k && rc == 0; i++) {
		int first = i == 0 || ix[i - 1]->project_id != ix[i]->project_id ||
		    strcmp(ix[i - 1]->user, ix[i]->user) != 0;
		int64_t week = sq_week_start(ix[i]->ts);
		if (first)
			rc = user_row(c, SQ_USER_FIRST_UPSERT, ix[i], ix[i]->ts);
		if (rc == 0 && (first || sq_week_start(ix[i - 1]->ts) != week))
			rc = user_row(c, SQ_USER_WEEK_INSERT, ix[i], week);
	}
	free(ix);
	return rc;
}

int
sq_rollup_flush(struct sq_conn *c, struct sq_rollup_notes *n)
{
	struct rows m;
	int rc = 0;

	if (n == NULL || n->head == NULL)
		return 0;
	memset(&m, 0, sizeof(m));
	for (const struct note *x = n->head; x && rc == 0; x = x->next)
		for (int grain = 0; grain < SQ_GRAINS && rc == 0; grain++)
			if (note_rows(&m, x, grain) != 0) {
				log_msg(LOG_ERROR, "%s", "event rollup: out of memory");
				rc = -1;
			}
	if (rc == 0)
		rc = rows_write(c, &m);
	if (rc == 0)
		rc = names_write(c, &m);
	if (rc == 0)
		rc = users_write(c, n);
	rows_free(&m);
	sq_rollup_discard(n);
	return rc;
}
