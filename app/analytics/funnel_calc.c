/*
 * funnel_calc (funnel.h): who completes a sequence of events, and how
 * fast (SPEC §5.3; the rules are in docs/funnels.md).
 *
 * The events of every step name arrive with their user key. Each user gets
 * a small integer (keyset.h: a table of key hashes); the events are
 * then grouped by user with one counting sort, and each user's path is
 * found by binary searches in their per-name, time-ordered lists. Memory:
 * 12 bytes an event, 8 more while grouping, 32 to 64 bytes a user.
 *
 * For a breakdown (funnel_keep_keys) the keys of step 1's users are kept
 * too, and funnel_result lists the users counted with their entry time
 * and path; the caller reads each entry event's value and hands it back
 * (funnel_group); funnel_breakdown counts the groups.
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

/* Bytes appended end to end; offsets fit in 32 bits. */
struct bytes {
	char *p;
	size_t n, cap;
};

/* A string held in a struct bytes. */
struct ref {
	uint32_t off, len;
};

/* A user counted, for the breakdown. */
struct entrant {
	int64_t entry_ms;
	uint32_t user;          /* their keyset index */
	uint32_t group;         /* their value's index + 1; 0: none given yet */
	uint32_t deltas;        /* where their times from the entry to steps 2.. start */
	uint32_t depth;         /* the steps reached */
};

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
		struct ref key;         /* keep: the key of a step-1 event, in pkeys */
	} pending[32];
	size_t npending;

	/* funnel_keep_keys: step 1's users' keys (keyref by user index; off 0:
	 * none, the arena's first byte is never used), those of pending events */
	int keep;
	struct bytes keys, pkeys;
	struct ref *keyref;
	size_t nkeyref, capkeyref;

	/* funnel_result with keep: the users counted, and funnel_group's values */
	int counted;
	struct entrant *ent;
	size_t nent, capent;
	int64_t *deltas;
	size_t ndeltas, capdeltas;
	struct keyset *values;
	struct bytes vbytes;
	struct ref *vref;
	size_t nvref, capvref;
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
	free(f->keys.p);
	free(f->pkeys.p);
	free(f->keyref);
	free(f->ent);
	free(f->deltas);
	keyset_free(f->values);
	free(f->vbytes.p);
	free(f->vref);
	free(f);
}

/* Appends s (len bytes) to b; *out says where. -1 out of memory or past 4 GB. */
static int
bytes_put(struct bytes *b, const char *s, size_t len, struct ref *out)
{
	if (len > UINT32_MAX - b->n)
		return -1;
	if (b->p == NULL || b->n + len > b->cap) {
		size_t want = b->cap ? b->cap : 4096;
		char *p;
		while (want < b->n + len)
			want *= 2;
		if ((p = realloc(b->p, want)) == NULL)
			return -1;
		b->p = p;
		b->cap = want;
	}
	if (len > 0)
		memcpy(b->p + b->n, s, len);
	out->off = (uint32_t)b->n;
	out->len = (uint32_t)len;
	b->n += len;
	return 0;
}

int
funnel_keep_keys(struct funnel *f)
{
	struct ref unused;

	if (f->nrows + f->npending > 0 || f->done)
		return -1;
	if (f->keep)
		return 0;
	/* offset 0 stands for "no key": the arena starts with a byte nobody owns */
	if (bytes_put(&f->keys, "", 1, &unused) != 0)
		return -1;
	f->keep = 1;
	return 0;
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

/*
 * With keep: a slot for user u (indexes come in order, so u is at most
 * one past the last), and their key if this event is of step 1's name and
 * the key is not held yet. -1 out of memory.
 */
static int
keep_key(struct funnel *f, uint32_t u, size_t p)
{
	if (u == f->nkeyref) {
		struct ref *r = util_grow(f->keyref, &f->capkeyref, f->nkeyref, sizeof(*r), 1024);
		if (r == NULL)
			return -1;
		f->keyref = r;
		f->keyref[f->nkeyref++] = (struct ref){ 0, 0 };
	}
	if (f->pending[p].ev >> NAME_SHIFT != 0 || f->keyref[u].off != 0)
		return 0;
	return bytes_put(&f->keys, f->pkeys.p + f->pending[p].key.off, f->pending[p].key.len,
	    &f->keyref[u]);
}

/* Stores the pending events. -1 out of memory. */
static int
flush(struct funnel *f)
{
	for (size_t i = 0; i < f->npending; i++) {
		if (rows_grow(f) != 0 || keyset_add(f->users, &f->pending[i].h, &f->who[f->nrows]) != 0)
			return -1;
		if (f->keep && keep_key(f, f->who[f->nrows], i) != 0)
			return -1;
		f->ev[f->nrows++] = f->pending[i].ev;
	}
	f->npending = 0;
	f->pkeys.n = 0;
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
	p = f->npending;
	/* step 1's name is names[0]: its users may enter, keep their keys */
	if (f->keep && name == 0 && bytes_put(&f->pkeys, user_key, keylen, &f->pending[p].key) != 0)
		return -1;
	f->npending++;
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

/* out[k]'s counts and conversions from reached[k], the users at step k. */
static void
rates(struct funnel_step *out, const size_t *reached, size_t nsteps)
{
	for (size_t k = 0; k < nsteps; k++) {
		out[k].users = (int64_t)reached[k];
		out[k].conversion = reached[0] ? (double)reached[k] / (double)reached[0] : 0.0;
		if (k == 0)
			out[k].step_conversion = out[k].conversion;
		else
			out[k].step_conversion = reached[k - 1] ? (double)reached[k] / (double)reached[k - 1] : 0.0;
	}
}

/* With keep: user u, counted with times[0..depth), for the breakdown. -1 out of memory. */
static int
note_entrant(struct funnel *f, size_t u, const int64_t *times, size_t depth)
{
	struct entrant *e;

	if (f->ndeltas > UINT32_MAX - FUNNEL_MAX_STEPS ||
	    (e = util_grow(f->ent, &f->capent, f->nent, sizeof(*e), 1024)) == NULL)
		return -1;
	f->ent = e;
	e = &f->ent[f->nent++];
	*e = (struct entrant){ times[0], (uint32_t)u, 0, (uint32_t)f->ndeltas, (uint32_t)depth };
	for (size_t k = 1; k < depth; k++) {
		int64_t *d = util_grow(f->deltas, &f->capdeltas, f->ndeltas, sizeof(*d), 1024);
		if (d == NULL)
			return -1;
		f->deltas = d;
		f->deltas[f->ndeltas++] = times[k] - times[0];
	}
	return 0;
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
		if (f->keep && note_entrant(f, u, times, depth) != 0)
			goto out;
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
	rates(out, reached, f->nsteps);
	f->counted = 1;
	rc = 0;
out:
	for (size_t k = 0; k < f->nsteps; k++)
		free(delta[k]);
	free(sorted);
	free(start);
	return rc;
}

/* ---- the breakdown ---- */

size_t
funnel_entrants(const struct funnel *f)
{
	return f->counted ? f->nent : 0;
}

int
funnel_entrant(const struct funnel *f, size_t i, const char **key, size_t *keylen, int64_t *entry_ms)
{
	const struct ref *r;

	if (i >= funnel_entrants(f))
		return -1;
	/* an entrant has an event of step 1's name, so its key was kept */
	r = &f->keyref[f->ent[i].user];
	*key = f->keys.p + r->off;
	*keylen = r->len;
	*entry_ms = f->ent[i].entry_ms;
	return 0;
}

int
funnel_group(struct funnel *f, size_t i, const char *value, size_t len)
{
	struct keyset_hash h;
	uint32_t g;

	if (i >= funnel_entrants(f))
		return -1;
	if (value == NULL) {
		value = FUNNEL_NONE;
		len = strlen(FUNNEL_NONE);
	}
	if (f->values == NULL && (f->values = keyset_new()) == NULL)
		return -1;
	/* each distinct value gets an index (keyset.h: its hashes stand for it) */
	keyset_hash(value, len, &h);
	if (keyset_add(f->values, &h, &g) != 0)
		return -1;
	if (g == f->nvref) {
		struct ref *r = util_grow(f->vref, &f->capvref, f->nvref, sizeof(*r), 64);
		if (r == NULL)
			return -1;
		f->vref = r;
		if (bytes_put(&f->vbytes, value, len, &f->vref[f->nvref]) != 0)
			return -1;
		f->nvref++;
	}
	f->ent[i].group = g + 1;
	return 0;
}

/* A value while ranking: its users, where they start in the order, the value. */
struct rank {
	size_t users, start;
	const char *value;
	size_t len;
};

static int
by_size_then_value(const void *a, const void *b)
{
	const struct rank *x = a, *y = b;
	int c;

	if (x->users != y->users)
		return x->users > y->users ? -1 : 1;
	if ((c = memcmp(x->value, y->value, x->len < y->len ? x->len : y->len)) != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/*
 * The steps of the users order[0..n): counts, conversions and, when
 * medians, the median times (tmp: room for n values). A group's median
 * is over its own users, as the overall one is over all.
 */
static void
group_steps(const struct funnel *f, const uint32_t *order, size_t n, int medians, int64_t *tmp,
    struct funnel_step *out)
{
	size_t reached[FUNNEL_MAX_STEPS] = { 0 };

	for (size_t j = 0; j < n; j++)
		for (size_t k = 0; k < f->ent[order[j]].depth; k++)
			reached[k]++;
	rates(out, reached, f->nsteps);
	for (size_t k = 0; k < f->nsteps; k++) {
		size_t m = 0;
		out[k].median_ms = -1;
		if (k == 0 || !medians)
			continue;
		for (size_t j = 0; j < n; j++) {
			const struct entrant *e = &f->ent[order[j]];
			if (e->depth > k)
				tmp[m++] = f->deltas[e->deltas + k - 1];
		}
		out[k].median_ms = median(tmp, m);
	}
}

int
funnel_breakdown(struct funnel *f, size_t limit, struct funnel_group **groups, size_t *n)
{
	struct rank *rk = NULL;
	uint32_t *order = NULL, *rest = NULL;
	int64_t *tmp = NULL;
	struct funnel_group *out = NULL;
	size_t ng, nout, kept, *fill = NULL;
	int rc = -1;

	*groups = NULL;
	*n = 0;
	if (!f->counted || !f->keep || limit == 0)
		return -1;
	if (f->nent == 0)
		return 0;       /* nobody entered: no group */
	for (size_t i = 0; i < f->nent; i++)
		if (f->ent[i].group == 0 && funnel_group(f, i, NULL, 0) != 0)
			return -1;
	ng = f->nvref;
	if ((rk = calloc(ng, sizeof(*rk))) == NULL || (fill = calloc(ng, sizeof(*fill))) == NULL ||
	    (order = malloc(f->nent * sizeof(*order))) == NULL ||
	    (tmp = malloc(f->nent * sizeof(*tmp))) == NULL ||
	    (out = calloc((ng < limit ? ng : limit) + 1, sizeof(*out))) == NULL)
		goto out;

	/* the users grouped by value, a counting sort: group g's are order[rk[g].start ..] */
	for (size_t i = 0; i < f->nent; i++)
		rk[f->ent[i].group - 1].users++;
	for (size_t g = 0, at = 0; g < ng; g++) {
		rk[g].start = at;
		rk[g].value = f->vbytes.p + f->vref[g].off;
		rk[g].len = f->vref[g].len;
		at += rk[g].users;
	}
	for (size_t i = 0; i < f->nent; i++) {
		size_t g = f->ent[i].group - 1;
		order[rk[g].start + fill[g]++] = (uint32_t)i;
	}
	qsort(rk, ng, sizeof(*rk), by_size_then_value);
	/* a value whose users were all given another one since holds nobody */
	while (ng > 0 && rk[ng - 1].users == 0)
		ng--;
	kept = ng < limit ? ng : limit;
	nout = kept + (ng > kept);

	for (size_t j = 0; j < kept; j++) {
		out[j].value = rk[j].value;
		out[j].len = rk[j].len;
		group_steps(f, order + rk[j].start, rk[j].users, 1, tmp, out[j].steps);
	}
	if (nout > kept) {
		/* the rest as one group: its users are those of every value past the limit */
		size_t m = 0;
		if ((rest = malloc(f->nent * sizeof(*rest))) == NULL)
			goto out;
		for (size_t j = kept; j < ng; j++) {
			memcpy(rest + m, order + rk[j].start, rk[j].users * sizeof(*rest));
			m += rk[j].users;
		}
		out[kept].folded = ng - kept;
		group_steps(f, rest, m, 0, tmp, out[kept].steps);
	}
	rc = 0;
out:
	free(rk);
	free(fill);
	free(order);
	free(rest);
	free(tmp);
	if (rc == 0) {
		*groups = out;
		*n = nout;
	} else
		free(out);
	return rc;
}
