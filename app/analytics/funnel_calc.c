/*
 * funnel_calc (funnel.h): who completes a sequence of events, and how
 * fast (SPEC §5.3; the rules are in docs/funnels.md).
 *
 * The events of every step name arrive with their user key. Each user gets
 * a small integer (keyset.h: a table of key hashes); the events are
 * then grouped by user with one counting sort, and each user's path is
 * found by binary searches in their per-name, time-ordered lists. Memory:
 * 12 bytes an event, 8 more while grouping, 32 to 64 bytes a user.
 */
#include "funnel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyset.h"
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

/*
 * An event as held: its name index in the top 4 bits and its time (>= 0)
 * in the 60 below, so that one integer order is (name, time), and 8 bytes
 * an event once grouped by user.
 */
#define NAME_SHIFT 60
#define TS_MASK ((UINT64_C(1) << NAME_SHIFT) - 1)

struct funnel {
	size_t nsteps, nnames;
	const char *names[FUNNEL_MAX_STEPS];
	unsigned step_name[FUNNEL_MAX_STEPS];  /* steps[k] is names[step_name[k]] */
	int64_t from_ms, to_ms, window_ms;
	size_t max_rows;
	int done;               /* funnel_result ran: the rows are gone */

	uint64_t *ev;           /* the events, (name, ts) packed */
	uint32_t *who;          /* and their users */
	size_t nrows, caprows;

	struct keyset *users;

	/* events hashed, their slots being fetched: looked up 32 at a time, so
	 * that the cache misses of the table overlap instead of queueing */
	struct {
		struct keyset_hash h;
		uint64_t ev;
	} pending[32];
	size_t npending;
};

struct funnel *
funnel_new(const char *const *steps, size_t nsteps, int64_t from_ms, int64_t to_ms,
    int64_t window_ms, size_t max_rows)
{
	struct funnel *f;

	if (nsteps < 1 || nsteps > FUNNEL_MAX_STEPS || (f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	if ((f->users = keyset_new()) == NULL) {
		free(f);
		return NULL;
	}
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
	free(f->ev);
	free(f->who);
	keyset_free(f->users);
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

/* Room for one more event in both arrays. -1 out of memory. */
static int
rows_grow(struct funnel *f)
{
	size_t want;
	void *p;

	if (f->nrows < f->caprows)
		return 0;
	want = f->caprows ? f->caprows * 2 : 4096;
	if (want > SIZE_MAX / sizeof(*f->ev))
		return -1;
	if ((p = realloc(f->ev, want * sizeof(*f->ev))) == NULL)
		return -1;
	f->ev = p;
	if ((p = realloc(f->who, want * sizeof(*f->who))) == NULL)
		return -1;      /* ev is larger than caprows says: harmless */
	f->who = p;
	f->caprows = want;
	return 0;
}

/* Stores the pending events. -1 out of memory. */
static int
flush(struct funnel *f)
{
	for (size_t i = 0; i < f->npending; i++) {
		if (rows_grow(f) != 0 || keyset_add(f->users, &f->pending[i].h, &f->who[f->nrows]) != 0)
			return -1;
		f->ev[f->nrows++] = f->pending[i].ev;
	}
	f->npending = 0;
	return 0;
}

int
funnel_add(struct funnel *f, size_t name, int64_t ts_ms, const char *user_key, size_t keylen)
{
	size_t p;

	if (name >= f->nnames || user_key == NULL || f->done || ts_ms < 0 ||
	    (uint64_t)ts_ms > TS_MASK)
		return -1;
	if (f->nrows + f->npending >= f->max_rows)
		return 1;
	p = f->npending++;
	keyset_hash(user_key, keylen, &f->pending[p].h);
	keyset_prefetch(f->users, &f->pending[p].h);
	f->pending[p].ev = (uint64_t)name << NAME_SHIFT | (uint64_t)ts_ms;
	if (f->npending == sizeof(f->pending) / sizeof(f->pending[0]))
		return flush(f);
	return 0;
}

/* ---- the paths ---- */

_Static_assert(FUNNEL_MAX_STEPS <= 1 << (64 - NAME_SHIFT), "a name index fits in the top bits");

static int
by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int
by_signed(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int64_t
ts_of(uint64_t v)
{
	return (int64_t)(v & TS_MASK);
}

/* The first index in [lo, hi) whose time is after t, or hi. */
static size_t
first_after(const uint64_t *seg, size_t lo, size_t hi, int64_t t)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ts_of(seg[mid]) <= t)
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
walk(const struct funnel *f, const uint64_t *seg, const size_t *lo, const size_t *hi,
    int64_t *best_times)
{
	unsigned first = f->step_name[0];
	size_t best = 0, i, start;
	int64_t times[FUNNEL_MAX_STEPS];

	start = first_after(seg, lo[first], hi[first], f->from_ms - 1);
	for (i = start; i < hi[first] && ts_of(seg[i]) < f->to_ms; i++) {
		int64_t deadline = ts_of(seg[i]) + f->window_ms;
		size_t depth = 1;

		if (i > start && seg[i] == seg[i - 1])
			continue;               /* the same entry time: the same path */
		times[0] = ts_of(seg[i]);
		for (size_t k = 1; k < f->nsteps; k++) {
			unsigned nk = f->step_name[k];
			size_t j = first_after(seg, lo[nk], hi[nk], times[k - 1]);
			if (j == hi[nk] || ts_of(seg[j]) > deadline)
				break;
			times[k] = ts_of(seg[j]);
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
	qsort(v, n, sizeof(*v), by_signed);
	/* even: the mean of the middle two, rounded down */
	return n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

int
funnel_result(struct funnel *f, struct funnel_step *out)
{
	uint64_t *sorted = NULL;
	size_t *start = NULL;
	int64_t *delta[FUNNEL_MAX_STEPS] = { 0 };
	size_t reached[FUNNEL_MAX_STEPS] = { 0 }, cap[FUNNEL_MAX_STEPS] = { 0 }, nusers;
	int rc = -1;

	if (f->done)
		return -1;
	f->done = 1;
	memset(out, 0, f->nsteps * sizeof(*out));
	for (size_t k = 0; k < f->nsteps; k++)
		out[k].median_ms = -1;
	if (flush(f) != 0)
		return -1;
	if ((nusers = keyset_count(f->users)) == 0)
		goto tally;

	/* group the events by user, keeping their order: a counting sort */
	if ((start = calloc(nusers + 1, sizeof(*start))) == NULL ||
	    (sorted = malloc(f->nrows * sizeof(*sorted))) == NULL)
		goto out;
	for (size_t r = 0; r < f->nrows; r++)
		start[f->who[r] + 1]++;
	for (size_t u = 0; u < nusers; u++)
		start[u + 1] += start[u];
	for (size_t r = 0; r < f->nrows; r++)
		sorted[start[f->who[r]]++] = f->ev[r];
	/* start[u] now ends user u: shift back to beginnings */
	memmove(start + 1, start, nusers * sizeof(*start));
	start[0] = 0;
	free(f->ev);
	free(f->who);
	f->ev = NULL;
	f->who = NULL;
	f->caprows = 0;

	for (size_t u = 0; u < nusers; u++) {
		uint64_t *seg = sorted + start[u];
		size_t n = start[u + 1] - start[u], lo[FUNNEL_MAX_STEPS] = { 0 }, hi[FUNNEL_MAX_STEPS] = { 0 };
		int64_t times[FUNNEL_MAX_STEPS];
		size_t depth;

		/* the store sends name by name, each in time order: sorted already */
		for (size_t i = 1; i < n; i++)
			if (seg[i - 1] > seg[i]) {
				qsort(seg, n, sizeof(*seg), by_value);
				break;
			}
		for (size_t i = 0; i < n; i++) {
			unsigned name = (unsigned)(seg[i] >> NAME_SHIFT);
			if (i == 0 || name != (unsigned)(seg[i - 1] >> NAME_SHIFT))
				lo[name] = i;
			hi[name] = i + 1;
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
