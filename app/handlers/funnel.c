/*
 * funnel: the funnel and retention reports of SPEC §5.3 (docs/funnels.md
 * has the rules and shapes). The funnel reads the step events from the
 * store and hands them to funnel_calc; for a breakdown, it then has the
 * store read the entry event of each user counted. Retention takes the
 * store's cohort counts as they are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "funnel.h"
#include "handler_util.h"
#include "handlers.h"
#include "store.h"
#include "util.h"

#define DAY_MS 86400000LL
#define WEEK_MS (7 * DAY_MS)
#define RETENTION_MAX_OFFSET 26                 /* weeks after the cohort's own */
#define RETENTION_MAX_RANGE_MS (104 * WEEK_MS)  /* two years of cohorts */

/* ---- funnel ---- */

/*
 * The steps: `steps=a,b,c`, or, for names holding a comma, `steps` once
 * per step (`steps=a&steps=b,c`: two steps). Pointers into req's query or
 * into *csv (caller frees). 0 with *n set (possibly outside 2..10: the
 * check says so), or -1 with the 400 or 503 sent.
 */
static int
parse_steps(struct http_req *req, const char **steps, size_t *n, char **csv)
{
	size_t count = query_count(&req->query, "steps");
	const char *v = query_get(&req->query, "steps");

	*n = 0;
	*csv = NULL;
	if (count == 0 || (count == 1 && *v == '\0')) {
		http_send_error(req, 400, "bad_request",
		    "'steps' is required: 2 to 10 event names, steps=a,b,c", NULL);
		return -1;
	}
	if (count > 1) {
		for (size_t i = 0; i < req->query.n && *n <= FUNNEL_MAX_STEPS; i++)
			if (strcmp(req->query.params[i].key, "steps") == 0)
				steps[(*n)++] = req->query.params[i].value;
		*n = count;             /* above the cap: only the count matters */
		return 0;
	}
	if ((*csv = strdup(v)) == NULL) {
		handler_unavailable(req);
		return -1;
	}
	for (char *p = *csv;; p++) {
		char *comma = strchr(p, ',');
		if (*n <= FUNNEL_MAX_STEPS)
			steps[*n] = p;
		(*n)++;
		if (comma == NULL)
			break;
		*comma = '\0';
		p = comma;
	}
	return 0;
}

/*
 * `breakdown`: shop, or properties.KEY with KEY as the event breakdown
 * takes it (product_dimension: 1 to 64 bytes), valid UTF-8. 0 with
 * *property set (NULL for shop), 1 when absent, -1 with the 400 sent.
 */
static int
parse_breakdown(struct http_req *req, const char **by, const char **property)
{
	int dim;

	*property = NULL;
	if ((*by = query_get(&req->query, "breakdown")) == NULL)
		return 1;
	dim = product_dimension(*by, property);
	if (dim != EDIM_SHOP && dim != EDIM_PROPERTY) {
		http_send_error(req, 400, "bad_request", "'breakdown' must be shop or properties.KEY "
		    "(KEY: a top-level property name of 1 to 64 bytes)", NULL);
		return -1;
	}
	if (*property != NULL) {
		const unsigned char *p = (const unsigned char *)*property;
		size_t left = strlen(*property), k;
		for (; left > 0; p += k, left -= k)
			if ((k = util_utf8_seq(p, left)) == 0) {
				http_send_error(req, 400, "bad_request",
				    "'breakdown': the property name is not valid UTF-8", NULL);
				return -1;
			}
	}
	return 0;
}

struct collect {
	struct funnel *f;
	int full, failed;
};

static int
collect(void *arg, size_t name, int64_t ts_ms, const char *user_key, size_t keylen)
{
	struct collect *x = arg;
	int rc = funnel_add(x->f, name, ts_ms, user_key, keylen);
	if (rc == 1)
		x->full = 1;
	else if (rc != 0)
		x->failed = 1;
	return rc != 0;
}

/* The steps as the answer lists them (names[k] with out[k]). */
static json_object *
steps_json(const char *const *names, const struct funnel_step *out, size_t n)
{
	json_object *list = json_object_new_array();

	for (size_t k = 0; k < n; k++) {
		json_object *s = json_object_new_object();
		json_object_object_add(s, "name", json_object_new_string(names[k]));
		json_object_object_add(s, "count", json_object_new_int64(out[k].users));
		json_object_object_add(s, "conversion", json_object_new_double(out[k].conversion));
		json_object_object_add(s, "step_conversion", json_object_new_double(out[k].step_conversion));
		json_object_object_add(s, "median_time_to_convert_ms",
		    out[k].median_ms < 0 ? NULL : json_object_new_int64(out[k].median_ms));
		json_object_array_add(list, s);
	}
	return list;
}

struct values {
	struct funnel *f;
	int failed;
};

static int
value(void *arg, size_t i, const char *v, size_t len)
{
	struct values *x = arg;
	if (funnel_group(x->f, i, v, len) != 0) {
		x->failed = 1;
		return 1;
	}
	return 0;
}

/*
 * The breakdown of f (funnel_result done, keys kept) by `by`: each user's
 * entry event read from the store (property, or the shop when NULL), the
 * users grouped by its value. The object, or NULL with the 400 or 503 sent.
 */
static json_object *
breakdown_json(struct http_req *req, struct funnel *f, const char *const *steps, size_t nsteps,
    const char *by, const char *property, size_t limit)
{
	size_t n = funnel_entrants(f), ng = 0;
	struct store_funnel_entry *e = NULL;
	struct funnel_group *g = NULL;
	struct values x = { f, 0 };
	json_object *o = NULL, *list;
	char msg[192];

	/* one read of an event per user: a cap, as on the events read */
	if (n > FUNNEL_MAX_ENTRANTS) {
		snprintf(msg, sizeof(msg), "a breakdown reads the entry event of each user: %zu users "
		    "entered, at most %d: narrow the range", n, FUNNEL_MAX_ENTRANTS);
		http_send_error(req, 400, "bad_request", msg, NULL);
		return NULL;
	}
	if (n > 0 && (e = calloc(n, sizeof(*e))) == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (funnel_entrant(f, i, &e[i].user_key, &e[i].keylen, &e[i].ts_ms) != 0)
			goto fail;
	if (store_funnel_values(req->store, req->auth.project_id, steps[0], property, e, n, value,
	    &x) != 0 || x.failed || funnel_breakdown(f, limit, &g, &ng) != 0)
		goto fail;
	list = json_object_new_array();
	for (size_t i = 0; i < ng; i++) {
		json_object *one = json_object_new_object();
		if (g[i].value != NULL)
			json_object_object_add(one, "value", json_object_new_string_len(g[i].value, (int)g[i].len));
		else {
			/* the rest, as the event breakdown folds it: "other" and how many values */
			json_object_object_add(one, "value", json_object_new_string("other"));
			json_object_object_add(one, "groups", json_object_new_int64((int64_t)g[i].folded));
		}
		json_object_object_add(one, "steps", steps_json(steps, g[i].steps, nsteps));
		json_object_array_add(list, one);
	}
	o = json_object_new_object();
	json_object_object_add(o, "by", json_object_new_string(by));
	json_object_object_add(o, "groups", list);
	goto out;
fail:
	handler_unavailable(req);
out:
	free(e);
	free(g);
	return o;
}

void
handle_funnel(struct http_req *req)
{
	const char *steps[FUNNEL_MAX_STEPS + 1], *const *names, *by = NULL, *property;
	struct funnel_step out[FUNNEL_MAX_STEPS];
	struct collect x = { 0 };
	int64_t from, to, window = FUNNEL_WINDOW_DEFAULT_MS, read_from, read_to, limit;
	const char *w;
	char *csv = NULL, err[128], msg[160];
	size_t n, nnames;
	json_object *d, *bd = NULL;

	if (parse_steps(req, steps, &n, &csv) != 0)
		return;
	if (funnel_steps_check(steps, n, err, sizeof(err)) != 0) {
		snprintf(msg, sizeof(msg), "'steps': %s", err);
		http_send_error(req, 400, "bad_request", msg, NULL);
		goto out;
	}
	if ((w = query_get(&req->query, "window")) != NULL && funnel_window_parse(w, &window) != 0) {
		http_send_error(req, 400, "bad_request", "'window' must be a duration from 1s to 90d: "
		    "a whole number of s, m, h, d or w (30m, 2h, 1d, 7d) or of seconds", NULL);
		goto out;
	}
	if (handler_range(req, &from, &to) != 0)
		goto out;
	if (parse_breakdown(req, &by, &property) < 0)
		goto out;
	if (handler_query_int(req, "limit", 1, FUNNEL_BREAKDOWN_LIMIT_MAX,
	    FUNNEL_BREAKDOWN_LIMIT_DEFAULT, &limit) != 0)
		goto out;
	if ((x.f = funnel_new(steps, n, from, to, window, FUNNEL_MAX_ROWS)) == NULL ||
	    (by != NULL && funnel_keep_keys(x.f) != 0)) {
		handler_unavailable(req);
		goto out;
	}
	nnames = funnel_names(x.f, &names, &read_from, &read_to);
	if (store_funnel_events(req->store, req->auth.project_id, names, nnames, read_from, read_to,
	    collect, &x) != 0 || x.failed || funnel_result(x.f, out) != 0) {
		handler_unavailable(req);
		goto out;
	}
	if (x.full) {
		snprintf(msg, sizeof(msg), "the funnel would read more than %d events: "
		    "narrow the range or the window", FUNNEL_MAX_ROWS);
		http_send_error(req, 400, "bad_request", msg, NULL);
		goto out;
	}
	if (by != NULL &&
	    (bd = breakdown_json(req, x.f, steps, n, by, property, (size_t)limit)) == NULL)
		goto out;
	d = json_object_new_object();
	json_object_object_add(d, "steps", steps_json(steps, out, n));
	if (bd != NULL)
		json_object_object_add(d, "breakdown", bd);
	json_object_object_add(d, "window_ms", json_object_new_int64(window));
	json_object_object_add(d, "from", handler_time(from));
	json_object_object_add(d, "to", handler_time(to));
	handler_send_data(req, d);
out:
	funnel_free(x.f);
	free(csv);
}

/* ---- retention ---- */

/* Monday 00:00 UTC of ms's week (1970-01-01 was a Thursday). */
static int64_t
week_start(int64_t ms)
{
	return ms - ms % DAY_MS - ((ms / DAY_MS + 3) % 7) * DAY_MS;
}

struct cohort {
	int64_t week_ms, users;
	int64_t active[RETENTION_MAX_OFFSET + 1];
};

struct cohorts {
	struct cohort c[RETENTION_MAX_RANGE_MS / WEEK_MS + 2];
	size_t n;
};

static int
cohort_size(void *arg, int64_t cohort_ms, int64_t users)
{
	struct cohorts *x = arg;
	if (x->n == sizeof(x->c) / sizeof(x->c[0]))
		return 1;       /* cannot happen: the range is capped */
	x->c[x->n].week_ms = cohort_ms;
	x->c[x->n++].users = users;
	return 0;
}

static int
cohort_week(void *arg, int64_t cohort_ms, int64_t week_ms, int64_t users)
{
	struct cohorts *x = arg;
	int64_t off = (week_ms - cohort_ms) / WEEK_MS;
	for (size_t i = 0; i < x->n; i++)
		if (x->c[i].week_ms == cohort_ms && off >= 0 && off <= RETENTION_MAX_OFFSET) {
			x->c[i].active[off] = users;
			break;
		}
	return 0;
}

void
handle_retention(struct http_req *req)
{
	struct retention_query q;
	struct cohorts *x;
	int64_t from, to, last_week, weeks;
	json_object *d, *list;

	if (handler_range(req, &from, &to) != 0)
		return;
	if (to - from > RETENTION_MAX_RANGE_MS) {
		http_send_error(req, 400, "bad_request",
		    "retention covers at most 104 weeks of cohorts: narrow 'from' and 'to'", NULL);
		return;
	}
	last_week = week_start(to - 1);
	/* by default every week up to the one holding `to`, for the first cohort */
	weeks = (last_week - week_start(from)) / WEEK_MS;
	if (weeks > RETENTION_MAX_OFFSET)
		weeks = RETENTION_MAX_OFFSET;
	if (handler_query_int(req, "weeks", 0, RETENTION_MAX_OFFSET, weeks, &weeks) != 0)
		return;
	q = (struct retention_query){ from, to, (int)weeks, last_week };
	if ((x = calloc(1, sizeof(*x))) == NULL ||
	    store_retention(req->store, req->auth.project_id, &q, cohort_size, cohort_week, x) != 0) {
		free(x);
		handler_unavailable(req);
		return;
	}
	list = json_object_new_array();
	for (size_t i = 0; i < x->n; i++) {
		const struct cohort *c = &x->c[i];
		json_object *o = json_object_new_object(), *r = json_object_new_array();
		int64_t last = (last_week - c->week_ms) / WEEK_MS;
		if (last > weeks)
			last = weeks;
		for (int64_t k = 0; k <= last; k++) {
			json_object *cell = json_object_new_object();
			json_object_object_add(cell, "week_offset", json_object_new_int64(k));
			json_object_object_add(cell, "week", handler_time(c->week_ms + k * WEEK_MS));
			json_object_object_add(cell, "users", json_object_new_int64(c->active[k]));
			json_object_object_add(cell, "share", json_object_new_double((double)c->active[k] / (double)c->users));
			json_object_array_add(r, cell);
		}
		json_object_object_add(o, "week", handler_time(c->week_ms));
		json_object_object_add(o, "users", json_object_new_int64(c->users));
		json_object_object_add(o, "retained", r);
		json_object_array_add(list, o);
	}
	d = json_object_new_object();
	json_object_object_add(d, "cohorts", list);
	json_object_object_add(d, "weeks", json_object_new_int64(weeks));
	json_object_object_add(d, "from", handler_time(from));
	json_object_object_add(d, "to", handler_time(to));
	handler_send_data(req, d);
	free(x);
}
