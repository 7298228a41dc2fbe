/*
 * demo_gen: what the generators of `tallyctl demo-data` share (private to
 * app/cli/demo_*.c). Three generators write through the store like ingest
 * does, in large transactions:
 *   demo_week.c    the default: a realistic week of a small SaaS (visits,
 *                  page views, a signup funnel, identify, LLM calls, votes)
 *   demo_volume.c  --events N: events at volume for benchmarks
 *   demo_llm.c     --calls N: LLM calls at volume for benchmarks
 * Everything is a pure function of (--seed, --end, the other flags): the
 * random numbers come from one xorshift64* stream, ids from a hash of
 * (seed, end, counter).
 */
#ifndef TALLY_DEMO_GEN_H
#define TALLY_DEMO_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "llm.h"
#include "store.h"

#define DEMO_HOUR_MS 3600000LL
#define DEMO_DAY_MS 86400000LL

struct demo_opts {
	int64_t calls;                  /* --calls: LLM calls at volume; 0 none */
	int features, models;
	int64_t events;                 /* --events: events at volume; 0 none */
	int64_t users;
	int names;                      /* --event-names */
	int week;                       /* no volume flag: the realistic week */
	int days;
	uint64_t seed;
	int64_t end_ms;
	int64_t start_ms;               /* end - days */
};

/* ---- random numbers: the same sequence on every machine ---- */
struct demo_rng {
	uint64_t s;
};

static inline uint64_t
demo_next(struct demo_rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 2685821657736338717ULL;
}

/* Uniform in [0, 1). */
static inline double
demo_unit(struct demo_rng *r)
{
	return (double)(demo_next(r) >> 11) / 9007199254740992.0;
}

/* Uniform in [0, n); n > 0. */
static inline int
demo_below(struct demo_rng *r, int n)
{
	return (int)(demo_next(r) % (uint64_t)n);
}

/* 1 with probability p. */
static inline int
demo_chance(struct demo_rng *r, double p)
{
	return demo_unit(r) < p;
}

/* The stream of a seed (the mapping --calls has always used). */
void demo_rng_seed(struct demo_rng *r, uint64_t seed);
/* A positive value around median m, log-normal-ish (factor 0.12 .. 8). */
int64_t demo_spread(struct demo_rng *r, double m);
/* Index into n weights (not all zero) with probability proportional to its weight. */
int demo_pick(struct demo_rng *r, const double *w, int n);

/* ---- ids: a hash of (seed, end, kind, n), so a re-run dedups ---- */
struct demo_ids {
	uint64_t key;
};
void demo_ids_init(struct demo_ids *ids, uint64_t seed, int64_t end_ms);
/* 64 bits for id `n` of `kind` (a letter). */
uint64_t demo_id64(const struct demo_ids *ids, int kind, uint64_t n);
/* As an RFC 4122 version-4 shaped UUID into out[37]. */
void demo_uuid(const struct demo_ids *ids, int kind, uint64_t n, char out[37]);

/* ---- time: a daily and weekly rhythm over [start, end) ---- */
/*
 * Activity per UTC hour: low at night (EU + US audience), a weekend dip.
 * demo_clock_at(f) is the time by which a fraction f of the whole range's
 * activity has happened, so events at f = i/N follow the rhythm.
 */
struct demo_clock {
	int64_t start_ms, end_ms;
	size_t hours;
	double *cum;                    /* cum[h]: activity before hour h; cum[hours] total */
};
int demo_clock_init(struct demo_clock *c, int64_t start_ms, int64_t end_ms);
int64_t demo_clock_at(const struct demo_clock *c, double f);
void demo_clock_free(struct demo_clock *c);
/* 0 Monday .. 6 Sunday, and the hour of the day, in UTC. */
int demo_weekday(int64_t ms);
int demo_hour(int64_t ms);

/* ---- batches: events, spans and votes written through the store ---- */
struct demo_sink {
	struct store *store;
	struct ingest_meta meta;
	struct event *evs;
	struct llm_span *spans;
	struct vote *votes;
	size_t nev, nsp, nvo, ev_cap, sp_cap, vo_cap;
	char *buf;                      /* the batch's strings */
	size_t used, cap;
	int overflow;                   /* a string did not fit: the flush refuses */
	/* what the store took, and what it already had (a re-run) */
	int64_t events, events_dup, spans_stored, spans_dup, votes_stored, votes_dup;
	int64_t calls;                  /* spans with a model, stored or not */
	int64_t first_ms, last_ms;      /* range of the times written; 0: none */
};
/* Batches of up to ev/sp/vo items and `bytes` of strings per transaction. */
int demo_sink_init(struct demo_sink *k, struct store *st, int64_t project_id,
    size_t ev, size_t sp, size_t vo, size_t bytes);
void demo_sink_free(struct demo_sink *k);
/*
 * Makes room for ev events, sp spans, vo votes and bytes of strings in the
 * current batch, writing it first when they would not fit. 0 or -1.
 */
int demo_sink_room(struct demo_sink *k, size_t ev, size_t sp, size_t vo, size_t bytes);
/* Zeroed slots of the current batch; the caller has made room. */
struct event *demo_sink_event(struct demo_sink *k);
struct llm_span *demo_sink_span(struct demo_sink *k);
struct vote *demo_sink_vote(struct demo_sink *k);
/* A string in the batch (NULL when the room made was too small: a bug). */
const char *demo_printf(struct demo_sink *k, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Writes the batch: events, then spans, then votes (votes find their turns). */
int demo_sink_flush(struct demo_sink *k);

/* ---- LLM calls (demo_llm.c) ---- */
struct demo_model {
	const char *provider, *model;
};
/* Models the shipped price table prices, so costs are verified ones. */
extern const struct demo_model demo_models[];
extern const int demo_nmodels;
/* The index of a model in demo_models; -1 when it is not there. */
int demo_model_index(const char *model);
/*
 * Tokens, cached tokens, latency and status of a call of model index m
 * whose input is about median tokens, starting at start_ms.
 */
void demo_call_measure(struct demo_rng *r, struct llm_span *sp, double median, int m,
    int64_t start_ms);

/* ---- the generators: 0 or 1 (said why on stderr); each prints its summary ---- */
int demo_llm_run(struct store *st, const struct project *p, const struct demo_opts *o);
int demo_week_run(struct store *st, const struct project *p, const struct demo_opts *o);
int demo_volume_run(struct store *st, const struct project *p, const struct demo_opts *o);

/* Seconds since t0 (util_mono_us). */
double demo_seconds(int64_t t0_us);

#endif
