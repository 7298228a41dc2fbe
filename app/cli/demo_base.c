/*
 * demo_base: what the demo-data generators share: random numbers, ids, the
 * daily and weekly rhythm of traffic, and the batches they write through
 * the store (one transaction per batch; the store's CLI mode runs it in
 * this thread).
 */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_gen.h"
#include "util.h"

void
demo_rng_seed(struct demo_rng *r, uint64_t seed)
{
	r->s = seed * 0x9E3779B97F4A7C15ULL + 1;
	if (r->s == 0)                  /* xorshift never leaves 0 */
		r->s = 1;
}

int64_t
demo_spread(struct demo_rng *r, double m)
{
	double g = (demo_unit(r) + demo_unit(r) + demo_unit(r) - 1.5) * 1.4;
	return (int64_t)llround(m * exp(g)) + 1;
}

int
demo_pick(struct demo_rng *r, const double *w, int n)
{
	double sum = 0, x;

	for (int i = 0; i < n; i++)
		sum += w[i];
	x = demo_unit(r) * sum;
	for (int i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;                   /* rounding at the very end */
}

/* ---- ids ---- */

/* splitmix64's finaliser: every input bit reaches every output bit. */
static uint64_t
mix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

void
demo_ids_init(struct demo_ids *ids, uint64_t seed, int64_t end_ms)
{
	ids->key = mix64(seed ^ mix64((uint64_t)end_ms));
}

uint64_t
demo_id64(const struct demo_ids *ids, int kind, uint64_t n)
{
	return mix64(mix64(ids->key ^ (uint64_t)kind) + n);
}

void
demo_uuid(const struct demo_ids *ids, int kind, uint64_t n, char out[37])
{
	uint64_t a = demo_id64(ids, kind, n), b = mix64(a ^ ids->key);

	snprintf(out, 37, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
	    (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
	    0x8000 | ((unsigned)(b >> 48) & 0x3fff), (unsigned long long)(b & 0xffffffffffffULL));
}

/* ---- the rhythm of traffic ---- */

/* Relative activity per UTC hour: Europe's day, then America's evening. */
static const double hour_weight[24] = {
	0.45, 0.35, 0.28, 0.22, 0.20, 0.25, 0.40, 0.60, 0.80, 0.95, 1.00, 1.00,
	0.95, 1.00, 1.10, 1.15, 1.10, 1.00, 0.95, 0.90, 0.85, 0.75, 0.65, 0.55,
};
/* Monday .. Sunday: the weekend dip. */
static const double day_weight[7] = { 1.00, 1.05, 1.05, 1.00, 0.90, 0.60, 0.65 };

int
demo_weekday(int64_t ms)
{
	int64_t d = ms / DEMO_DAY_MS - (ms % DEMO_DAY_MS < 0);
	return (int)(((d + 3) % 7 + 7) % 7);        /* 1970-01-01 was a Thursday */
}

int
demo_hour(int64_t ms)
{
	int64_t in_day = ((ms % DEMO_DAY_MS) + DEMO_DAY_MS) % DEMO_DAY_MS;
	return (int)(in_day / DEMO_HOUR_MS);
}

int
demo_clock_init(struct demo_clock *c, int64_t start_ms, int64_t end_ms)
{
	memset(c, 0, sizeof(*c));
	c->start_ms = start_ms;
	c->end_ms = end_ms;
	c->hours = (size_t)((end_ms - start_ms + DEMO_HOUR_MS - 1) / DEMO_HOUR_MS);
	if ((c->cum = calloc(c->hours + 1, sizeof(double))) == NULL)
		return -1;
	for (size_t h = 0; h < c->hours; h++) {
		int64_t from = start_ms + (int64_t)h * DEMO_HOUR_MS;
		int64_t to = from + DEMO_HOUR_MS < end_ms ? from + DEMO_HOUR_MS : end_ms;
		int64_t mid = from + (to - from) / 2;
		/* a partial last hour weighs its share */
		double w = hour_weight[demo_hour(mid)] * day_weight[demo_weekday(mid)] *
		    (double)(to - from) / (double)DEMO_HOUR_MS;
		c->cum[h + 1] = c->cum[h] + w;
	}
	return 0;
}

int64_t
demo_clock_at(const struct demo_clock *c, double f)
{
	double target = f * c->cum[c->hours];
	size_t lo = 0, hi = c->hours;
	int64_t from, ms;

	if (f <= 0)
		return c->start_ms;
	if (f >= 1)
		return c->end_ms - 1;
	while (hi - lo > 1) {           /* the hour h with cum[h] <= target < cum[h + 1] */
		size_t mid = lo + (hi - lo) / 2;
		if (c->cum[mid] <= target)
			lo = mid;
		else
			hi = mid;
	}
	from = c->start_ms + (int64_t)lo * DEMO_HOUR_MS;
	ms = from + (int64_t)((target - c->cum[lo]) / (c->cum[lo + 1] - c->cum[lo]) * DEMO_HOUR_MS);
	return ms < c->end_ms ? ms : c->end_ms - 1;
}

void
demo_clock_free(struct demo_clock *c)
{
	free(c->cum);
	c->cum = NULL;
}

/* ---- batches ---- */

int
demo_sink_init(struct demo_sink *k, struct store *st, int64_t project_id,
    size_t ev, size_t sp, size_t vo, size_t bytes)
{
	memset(k, 0, sizeof(*k));
	k->store = st;
	k->meta.project_id = project_id;
	k->meta.request_id = "demo-data";
	k->ev_cap = ev;
	k->sp_cap = sp;
	k->vo_cap = vo;
	k->cap = bytes;
	if ((ev && (k->evs = calloc(ev, sizeof(*k->evs))) == NULL) ||
	    (sp && (k->spans = calloc(sp, sizeof(*k->spans))) == NULL) ||
	    (vo && (k->votes = calloc(vo, sizeof(*k->votes))) == NULL) ||
	    (k->buf = malloc(bytes)) == NULL) {
		demo_sink_free(k);
		fprintf(stderr, "tallyctl: demo-data: out of memory\n");
		return -1;
	}
	return 0;
}

void
demo_sink_free(struct demo_sink *k)
{
	free(k->evs);
	free(k->spans);
	free(k->votes);
	free(k->buf);
	k->evs = NULL;
	k->spans = NULL;
	k->votes = NULL;
	k->buf = NULL;
}

int
demo_sink_room(struct demo_sink *k, size_t ev, size_t sp, size_t vo, size_t bytes)
{
	if (ev > k->ev_cap || sp > k->sp_cap || vo > k->vo_cap || bytes > k->cap) {
		fprintf(stderr, "tallyctl: demo-data: a batch cannot hold what one step writes\n");
		return -1;
	}
	if (k->nev + ev > k->ev_cap || k->nsp + sp > k->sp_cap || k->nvo + vo > k->vo_cap ||
	    k->used + bytes > k->cap)
		return demo_sink_flush(k);
	return 0;
}

/* The caller made room first: running out here is a bug in a generator. */
struct event *
demo_sink_event(struct demo_sink *k)
{
	assert(k->nev < k->ev_cap);
	memset(&k->evs[k->nev], 0, sizeof(k->evs[0]));
	return &k->evs[k->nev++];
}

struct llm_span *
demo_sink_span(struct demo_sink *k)
{
	assert(k->nsp < k->sp_cap);
	memset(&k->spans[k->nsp], 0, sizeof(k->spans[0]));
	return &k->spans[k->nsp++];
}

struct vote *
demo_sink_vote(struct demo_sink *k)
{
	assert(k->nvo < k->vo_cap);
	memset(&k->votes[k->nvo], 0, sizeof(k->votes[0]));
	return &k->votes[k->nvo++];
}

const char *
demo_printf(struct demo_sink *k, const char *fmt, ...)
{
	char *p = k->buf + k->used;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(p, k->cap - k->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= k->cap - k->used) {
		k->overflow = 1;        /* the flush refuses the batch */
		return NULL;
	}
	k->used += (size_t)n + 1;
	return p;
}

static void
seen(struct demo_sink *k, int64_t ms)
{
	if (k->first_ms == 0 || ms < k->first_ms)
		k->first_ms = ms;
	if (ms > k->last_ms)
		k->last_ms = ms;
}

int
demo_sink_flush(struct demo_sink *k)
{
	int64_t got, dup;

	if (k->overflow) {
		fprintf(stderr, "tallyctl: demo-data: a batch's strings did not fit its buffer\n");
		return -1;
	}
	k->meta.received_ms = util_now_ms();
	if (k->nev > 0) {
		if (store_events_insert(k->store, &k->meta, k->evs, k->nev, NULL, &got, &dup) != 0)
			goto refused;
		k->events += got;
		k->events_dup += dup;
		for (size_t i = 0; i < k->nev; i++)
			seen(k, k->evs[i].ts_ms);
	}
	if (k->nsp > 0) {
		if (store_spans_insert(k->store, &k->meta, k->spans, k->nsp, NULL, &got, &dup) != 0)
			goto refused;
		k->spans_stored += got;
		k->spans_dup += dup;
		for (size_t i = 0; i < k->nsp; i++) {
			k->calls += k->spans[i].model != NULL;
			seen(k, k->spans[i].start_ms);
			seen(k, k->spans[i].end_ms);
		}
	}
	if (k->nvo > 0) {
		if (store_votes_insert(k->store, &k->meta, k->votes, k->nvo, &got, &dup) != 0)
			goto refused;
		k->votes_stored += got;
		k->votes_dup += dup;
		for (size_t i = 0; i < k->nvo; i++)
			seen(k, k->votes[i].ts_ms);
	}
	k->nev = k->nsp = k->nvo = 0;
	k->used = 0;
	return 0;
refused:
	fprintf(stderr, "tallyctl: demo-data: the store refused a batch\n");
	return -1;
}

double
demo_seconds(int64_t t0_us)
{
	return (double)(util_mono_us() - t0_us) / 1e6;
}
