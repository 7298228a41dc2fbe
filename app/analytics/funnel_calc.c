/*
 * funnel_calc (funnel.h): who completes a sequence of events, and how
 * fast (SPEC §5.3; the rules are in docs/funnels.md).
 *
 * The events of every step name arrive with their user key. Each user gets
 * a small integer (an open-addressing table over the copied keys); the
 * events are then grouped by user with one counting sort, and each user's
 * path is found by binary searches in their per-name, time-ordered lists.
 * Memory is 16 bytes an event (twice, while grouping) plus the keys.
 */
#include "funnel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- checking the request ---- */

int
funnel_window_parse(const char *s, int64_t *ms)
{
	static const struct {
		char unit;
		int64_t ms;
	} units[] = {
		{ 's', 1000 }, { 'm', 60000 }, { 'h', 3600000 }, { 'd', 86400000 }, { 'w', 604800000 },
	};
	char digits[24];
	size_t len;
	int64_t unit = 1000, n;         /* no unit: seconds */

	if (s == NULL || (len = strlen(s)) == 0 || len >= sizeof(digits))
		return -1;
	memcpy(digits, s, len + 1);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (digits[len - 1] == units[i].unit) {
			unit = units[i].ms;
			digits[--len] = '\0';
			break;
		}
	/* digits only: util_parse_i64 would take a minus sign */
	if (len == 0 || digits[0] < '0' || digits[0] > '9' ||
	    util_parse_i64(digits, 1, FUNNEL_WINDOW_MAX_MS / unit, &n) != 0)
		return -1;
	*ms = n * unit;
	return 0;
}

int
funnel_steps_check(const char *const *steps, size_t n, char *err, size_t errlen)
{
	if (n < FUNNEL_MIN_STEPS || n > FUNNEL_MAX_STEPS) {
		snprintf(err, errlen, "a funnel has %d to %d steps; %zu given",
		    FUNNEL_MIN_STEPS, FUNNEL_MAX_STEPS, n);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const unsigned char *p = (const unsigned char *)steps[i];
		size_t left = strlen(steps[i]), chars = 0, k;

		if (left == 0) {
			snprintf(err, errlen, "step %zu is empty", i + 1);
			return -1;
		}
		for (; left > 0; p += k, left -= k, chars++)
			if ((k = util_utf8_seq(p, left)) == 0) {
				snprintf(err, errlen, "step %zu is not valid UTF-8", i + 1);
				return -1;
			}
		if (chars > FUNNEL_NAME_MAX_CHARS) {
			snprintf(err, errlen, "step %zu is longer than %d characters", i + 1,
			    FUNNEL_NAME_MAX_CHARS);
			return -1;
		}
	}
	return 0;
}

/* ---- collecting events ---- */

struct frow {
	int64_t ts;
	uint32_t user;
	uint32_t name;
};

struct fuser {
	uint64_t hash;
	size_t off;             /* the key in the arena */
	size_t len;
};

struct funnel {
	size_t nsteps, nnames;
	const char *names[FUNNEL_MAX_STEPS];
	unsigned step_name[FUNNEL_MAX_STEPS];  /* steps[k] is names[step_name[k]] */
	int64_t from_ms, to_ms, window_ms;
	size_t max_rows;
	int done;               /* funnel_result ran: the rows are gone */

	struct frow *rows;
	size_t nrows, caprows;

	uint32_t *slots;        /* user index + 1; 0 empty */
	size_t nslots;
	struct fuser *users;
	size_t nusers, capusers;
	char *arena;
	size_t arena_len, arena_cap;
};

struct funnel *
funnel_new(const char *const *steps, size_t nsteps, int64_t from_ms, int64_t to_ms,
    int64_t window_ms, size_t max_rows)
{
	struct funnel *f;

	if (nsteps < 1 || nsteps > FUNNEL_MAX_STEPS || (f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->nsteps = nsteps;
	f->from_ms = from_ms;
	f->to_ms = to_ms;
	f->window_ms = window_ms;
	f->max_rows = max_rows;
	for (size_t k = 0; k < nsteps; k++) {
		size_t j;
		for (j = 0; j < f->nnames && strcmp(f->names[j], steps[k]) != 0; j++)
			;
		if (j == f->nnames)
			f->names[f->nnames++] = steps[k];
		f->step_name[k] = (unsigned)j;
	}
	return f;
}

void
funnel_free(struct funnel *f)
{
	if (f == NULL)
		return;
	free(f->rows);
	free(f->slots);
	free(f->users);
	free(f->arena);
	free(f);
}

size_t
funnel_names(const struct funnel *f, const char *const **names, int64_t *from_ms, int64_t *to_ms)
{
	*names = f->names;
	*from_ms = f->from_ms;
	/* the last entry is at to - 1, its last step at to - 1 + window */
	*to_ms = f->to_ms + f->window_ms;
	return f->nnames;
}

/* Doubles the slot table (load stays under 1/2). -1 out of memory. */
static int
slots_grow(struct funnel *f)
{
	size_t n = f->nslots ? f->nslots * 2 : 1024, mask = n - 1;
	uint32_t *s;

	if (n > SIZE_MAX / sizeof(*s) || (s = calloc(n, sizeof(*s))) == NULL)
		return -1;
	for (size_t u = 0; u < f->nusers; u++) {
		size_t i = f->users[u].hash & mask;
		while (s[i] != 0)
			i = (i + 1) & mask;
		s[i] = (uint32_t)(u + 1);
	}
	free(f->slots);
	f->slots = s;
	f->nslots = n;
	return 0;
}

static int
arena_put(struct funnel *f, const char *s, size_t len, size_t *off)
{
	if (len > f->arena_cap - f->arena_len) {
		size_t want = f->arena_cap ? f->arena_cap : 8192;
		char *p;
		while (want - f->arena_len < len) {
			if (want > SIZE_MAX / 2)
				return -1;
			want *= 2;
		}
		if ((p = realloc(f->arena, want)) == NULL)
			return -1;
		f->arena = p;
		f->arena_cap = want;
	}
	memcpy(f->arena + f->arena_len, s, len);
	*off = f->arena_len;
	f->arena_len += len;
	return 0;
}

/* The user's index, added when new. -1 out of memory. */
static int
user_index(struct funnel *f, const char *key, size_t len, uint32_t *out)
{
	uint64_t h = (uint64_t)util_hash64(key, len);
	struct fuser *u;
	size_t i, mask;

	if ((f->nusers + 1) * 2 > f->nslots && slots_grow(f) != 0)
		return -1;
	mask = f->nslots - 1;
	for (i = h & mask; f->slots[i] != 0; i = (i + 1) & mask) {
		u = &f->users[f->slots[i] - 1];
		if (u->hash == h && u->len == len && memcmp(f->arena + u->off, key, len) == 0) {
			*out = f->slots[i] - 1;
			return 0;
		}
	}
	if (f->nusers >= UINT32_MAX - 1 ||
	    (u = util_grow(f->users, &f->capusers, f->nusers, sizeof(*u), 1024)) == NULL)
		return -1;
	f->users = u;
	u = &f->users[f->nusers];
	if (arena_put(f, key, len, &u->off) != 0)
		return -1;
	u->hash = h;
	u->len = len;
	f->slots[i] = (uint32_t)(f->nusers + 1);
	*out = (uint32_t)f->nusers++;
	return 0;
}

int
funnel_add(struct funnel *f, size_t name, int64_t ts_ms, const char *user_key, size_t keylen)
{
	struct frow *r;
	uint32_t u;

	if (name >= f->nnames || user_key == NULL || f->done)
		return -1;
	if (f->nrows >= f->max_rows)
		return 1;
	if ((r = util_grow(f->rows, &f->caprows, f->nrows, sizeof(*r), 4096)) == NULL)
		return -1;
	f->rows = r;
	if (user_index(f, user_key, keylen, &u) != 0)
		return -1;
	f->rows[f->nrows++] = (struct frow){ ts_ms, u, (uint32_t)name };
	return 0;
}

/* ---- the paths ---- */

static int
by_name_ts(const void *a, const void *b)
{
	const struct frow *x = a, *y = b;
	if (x->name != y->name)
		return x->name < y->name ? -1 : 1;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static int
by_value(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* The first index in [lo, hi) whose time is after t, or hi. */
static size_t
first_after(const struct frow *seg, size_t lo, size_t hi, int64_t t)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (seg[mid].ts <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * One user's events, ordered by (name, ts); names[j]'s are seg[lo[j]..hi[j]).
 * Returns how many steps the user reached (0: no entry in the range) and
 * the times of that path. From a given entry the earliest event that fits
 * each next step is the best choice: a later one leaves fewer events for
 * the steps after it. Entries are tried in time order and only a deeper
 * path replaces the one held, so ties keep the earliest entry.
 */
static size_t
walk(const struct funnel *f, const struct frow *seg, const size_t *lo, const size_t *hi,
    int64_t *best_times)
{
	unsigned first = f->step_name[0];
	size_t best = 0, i, start;
	int64_t times[FUNNEL_MAX_STEPS];

	start = first_after(seg, lo[first], hi[first], f->from_ms - 1);
	for (i = start; i < hi[first] && seg[i].ts < f->to_ms; i++) {
		int64_t deadline = seg[i].ts + f->window_ms;
		size_t depth = 1;

		if (i > start && seg[i].ts == seg[i - 1].ts)
			continue;               /* the same entry time: the same path */
		times[0] = seg[i].ts;
		for (size_t k = 1; k < f->nsteps; k++) {
			unsigned nk = f->step_name[k];
			size_t j = first_after(seg, lo[nk], hi[nk], times[k - 1]);
			if (j == hi[nk] || seg[j].ts > deadline)
				break;
			times[k] = seg[j].ts;
			depth++;
		}
		if (depth > best) {
			best = depth;
			memcpy(best_times, times, depth * sizeof(times[0]));
			if (best == f->nsteps)
				break;
		}
	}
	return best;
}

static int64_t
median(int64_t *v, size_t n)
{
	if (n == 0)
		return -1;
	qsort(v, n, sizeof(*v), by_value);
	/* even: the mean of the middle two, rounded down */
	return n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

int
funnel_result(struct funnel *f, struct funnel_step *out)
{
	struct frow *sorted = NULL;
	size_t *start = NULL;
	int64_t *delta[FUNNEL_MAX_STEPS] = { 0 };
	size_t reached[FUNNEL_MAX_STEPS] = { 0 }, cap[FUNNEL_MAX_STEPS] = { 0 };
	int rc = -1;

	if (f->done)
		return -1;
	f->done = 1;
	memset(out, 0, f->nsteps * sizeof(*out));
	for (size_t k = 0; k < f->nsteps; k++)
		out[k].median_ms = -1;
	if (f->nusers == 0)
		goto tally;

	/* group the events by user, keeping their order: a counting sort */
	if ((start = calloc(f->nusers + 1, sizeof(*start))) == NULL ||
	    (sorted = malloc(f->nrows * sizeof(*sorted))) == NULL)
		goto out;
	for (size_t r = 0; r < f->nrows; r++)
		start[f->rows[r].user + 1]++;
	for (size_t u = 0; u < f->nusers; u++)
		start[u + 1] += start[u];
	for (size_t r = 0; r < f->nrows; r++)
		sorted[start[f->rows[r].user]++] = f->rows[r];
	/* start[u] now ends user u: shift back to beginnings */
	memmove(start + 1, start, f->nusers * sizeof(*start));
	start[0] = 0;
	free(f->rows);
	f->rows = NULL;
	f->caprows = 0;

	for (size_t u = 0; u < f->nusers; u++) {
		struct frow *seg = sorted + start[u];
		size_t n = start[u + 1] - start[u], lo[FUNNEL_MAX_STEPS] = { 0 }, hi[FUNNEL_MAX_STEPS] = { 0 };
		int64_t times[FUNNEL_MAX_STEPS];
		size_t depth;

		/* the store sends name by name, each in time order: sorted already */
		for (size_t i = 1; i < n; i++)
			if (by_name_ts(&seg[i - 1], &seg[i]) > 0) {
				qsort(seg, n, sizeof(*seg), by_name_ts);
				break;
			}
		for (size_t i = 0; i < n; i++) {
			if (i == 0 || seg[i].name != seg[i - 1].name)
				lo[seg[i].name] = i;
			hi[seg[i].name] = i + 1;
		}
		if ((depth = walk(f, seg, lo, hi, times)) == 0)
			continue;
		for (size_t k = 0; k < depth; k++) {
			if (k > 0) {
				int64_t *d = util_grow(delta[k], &cap[k], reached[k], sizeof(*d), 256);
				if (d == NULL)
					goto out;
				delta[k] = d;
				d[reached[k]] = times[k] - times[0];
			}
			reached[k]++;
		}
	}
	for (size_t k = 1; k < f->nsteps; k++)
		out[k].median_ms = median(delta[k], reached[k]);
tally:
	for (size_t k = 0; k < f->nsteps; k++) {
		out[k].users = (int64_t)reached[k];
		out[k].conversion = reached[0] ? (double)reached[k] / (double)reached[0] : 0.0;
		if (k == 0)
			out[k].step_conversion = out[k].conversion;
		else
			out[k].step_conversion = reached[k - 1] ? (double)reached[k] / (double)reached[k - 1] : 0.0;
	}
	rc = 0;
out:
	for (size_t k = 0; k < f->nsteps; k++)
		free(delta[k]);
	free(sorted);
	free(start);
	return rc;
}
