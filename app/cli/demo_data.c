/*
 * tallyctl demo-data PROJECT --calls N: generated LLM calls for a project,
 * spread over the last --days days, through the same store path as ingest
 * (spans, traces, conversations, rollups, verified cost), in large
 * transactions. Deterministic for a given --seed and end time. Used by the
 * analytics benchmark (10 million calls) and to try the dashboards.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "llm.h"
#include "timestamp.h"
#include "util.h"

#define BATCH 20000             /* calls per transaction */
#define DAY_MS 86400000LL
#define MAX_FEATURES 500
#define USERS 20000

/* Priced by the shipped table, so the costs are verified ones. */
static const struct {
	const char *provider, *model;
} models[] = {
	{ "openai", "gpt-4o" }, { "openai", "gpt-4o-mini" }, { "openai", "gpt-4.1" },
	{ "openai", "gpt-4.1-mini" }, { "openai", "gpt-4.1-nano" }, { "openai", "o3-mini" },
	{ "openai", "o4-mini" }, { "anthropic", "claude-3-5-haiku-20241022" },
	{ "anthropic", "claude-3-5-sonnet-20241022" }, { "anthropic", "claude-3-7-sonnet-20250219" },
	{ "anthropic", "claude-sonnet-4-20250514" }, { "anthropic", "claude-opus-4-20250514" },
	{ "google", "gemini-1.5-flash" }, { "google", "gemini-1.5-pro" }, { "google", "gemini-2.0-flash" },
	{ "google", "gemini-2.5-pro" }, { "mistral", "mistral-large-latest" },
	{ "mistral", "mistral-small-latest" }, { "meta", "llama-3.3-70b-instruct" },
	{ "meta", "llama-3.1-8b-instruct" },
};
#define NMODELS (int)(sizeof(models) / sizeof(models[0]))

static const char *const prompts[] = {
	"Summarise the customer ticket below in two sentences and tag it with billing, shipping, account or other.",
	"You are a support assistant for an online shop. Answer the question using only the policy documents provided.",
	"Rewrite the product description below for a younger audience, keep it under eighty words and keep the price.",
	"Extract the invoice number, the total, the currency and the due date from the text below as JSON.",
};

struct rng {
	uint64_t s;
};

static uint64_t
rng_next(struct rng *r)
{
	/* xorshift64*: fast, and the same sequence on every machine */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 2685821657736338717ULL;
}

static double
rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) / 9007199254740992.0;
}

static int
rng_below(struct rng *r, int n)
{
	return (int)(rng_next(r) % (uint64_t)n);
}

/* A log-normal-ish positive value around median m. */
static int64_t
spread(struct rng *r, double m)
{
	double g = (rng_unit(r) + rng_unit(r) + rng_unit(r) - 1.5) * 1.4;
	return (int64_t)llround(m * exp(g)) + 1;
}

struct opts {
	int64_t calls;
	int days, features, models;
	uint64_t seed;
	int64_t end_ms;
};

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	o->calls = 100000;
	o->days = 7;
	o->features = 50;
	o->models = NMODELS;
	o->seed = 1;
	o->end_ms = util_now_ms();
	for (int i = 1; i < argc; i += 2) {
		char *end;
		long long v;
		if (i + 1 >= argc)
			return -1;
		if (strcmp(argv[i], "--end") == 0) {
			if (ts_parse_iso(argv[i + 1], &o->end_ms) != 0)
				return -1;
			continue;
		}
		v = strtoll(argv[i + 1], &end, 10);
		if (*argv[i + 1] == '\0' || *end != '\0' || v < 1)
			return -1;
		if (strcmp(argv[i], "--calls") == 0 && v <= 1000000000)
			o->calls = v;
		else if (strcmp(argv[i], "--days") == 0 && v <= 3650)
			o->days = (int)v;
		else if (strcmp(argv[i], "--features") == 0 && v <= MAX_FEATURES)
			o->features = (int)v;
		else if (strcmp(argv[i], "--models") == 0 && v <= NMODELS)
			o->models = (int)v;
		else if (strcmp(argv[i], "--seed") == 0)
			o->seed = (uint64_t)v;
		else
			return -1;
	}
	return 0;
}

/* Strings of one batch: ids and names, printed into one arena. */
struct arena {
	char *buf;
	size_t used, cap;
};

__attribute__((format(printf, 2, 3)))
static const char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	char *p = a->buf + a->used;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(p, a->cap - a->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= a->cap - a->used)
		return NULL;
	a->used += (size_t)n + 1;
	return p;
}

static const char *feature_names[MAX_FEATURES];

static int
make_feature_names(int n)
{
	static const char *const stems[] = { "chat", "search", "summarize", "classify", "extract",
	    "translate", "rewrite", "agent", "support", "code" };
	static char names[MAX_FEATURES][32];
	for (int i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "%s-%d", stems[i % 10], i / 10 + 1);
		feature_names[i] = names[i];
	}
	return 0;
}

/* One call: trace of 1..3 calls (the first a root), a third of them in a conversation. */
static int
fill_call(struct rng *r, const struct opts *o, int64_t i, int64_t ts, struct arena *a,
    struct llm_span *sp, uint64_t *trace, int *left)
{
	int f, m;
	double median;

	memset(sp, 0, sizeof(*sp));
	if (*left == 0) {
		*trace = rng_next(r);
		*left = 1 + rng_below(r, 3);
	}
	f = (int)((*trace >> 8) % (uint64_t)o->features);
	m = (int)((*trace >> 20) % (uint64_t)o->models);
	if (*left > 1 && rng_below(r, 4) == 0)
		m = rng_below(r, o->models);            /* a fallback model inside the trace */
	(*left)--;
	sp->trace_id = arena_printf(a, "demo-%016" PRIx64, *trace);
	sp->span_id = arena_printf(a, "c%" PRIx64, (uint64_t)i);
	sp->feature = feature_names[f];
	sp->provider = models[m].provider;
	sp->model = models[m].model;
	sp->user_id = arena_printf(a, "user-%" PRIu64, (*trace >> 32) % USERS);
	if ((*trace & 3) == 0)
		sp->session_id = arena_printf(a, "conv-%" PRIx64, (*trace >> 16) & 0xffffff);
	if (!sp->trace_id || !sp->span_id || !sp->user_id || ((*trace & 3) == 0 && !sp->session_id))
		return -1;
	sp->name = sp->feature;
	median = 300.0 * (1 + f % 7) * (1 + m % 3);
	sp->input_tokens = spread(r, median);
	sp->output_tokens = spread(r, median / 6);
	if (rng_below(r, 3) == 0)
		sp->cached_tokens = sp->input_tokens * rng_below(r, 60) / 100;
	sp->latency_ms = (double)(150 + sp->output_tokens * (8 + m % 5) + rng_below(r, 400));
	sp->start_ms = ts;
	sp->end_ms = ts + (int64_t)sp->latency_ms;
	if (rng_below(r, 100) == 0) {
		sp->status = LLM_ERROR;
		sp->error = "rate_limit_exceeded";
	}
	if (rng_below(r, 200) == 0)
		sp->input = prompts[rng_below(r, (int)(sizeof(prompts) / sizeof(prompts[0])))];
	return 0;
}

int
cli_demo_data(struct cli *c, int argc, char **argv)
{
	struct opts o;
	struct project p;
	struct rng r;
	struct arena a = { 0 };
	struct llm_span *spans = NULL;
	struct ingest_meta meta;
	uint64_t trace = 0;
	int left = 0, rc = 1;
	int64_t start, span_ms, done = 0, accepted = 0, dups = 0;
	struct timespec t0, t1;

	if (argc < 1 || parse_opts(argc, argv, &o) != 0) {
		fprintf(stderr, "usage: tallyctl demo-data PROJECT [--calls N] [--days D] [--features F] "
		    "[--models M] [--seed S] [--end TIME]\n");
		return 2;
	}
	if (cli_find_project(c, argv[0], &p) != 0)
		return 1;
	make_feature_names(o.features);
	r.s = o.seed * 0x9E3779B97F4A7C15ULL + 1;
	span_ms = (int64_t)o.days * DAY_MS;
	start = o.end_ms - span_ms;
	a.cap = (size_t)BATCH * 96;
	if ((a.buf = malloc(a.cap)) == NULL || (spans = calloc(BATCH, sizeof(*spans))) == NULL) {
		fprintf(stderr, "tallyctl: out of memory\n");
		goto out;
	}
	memset(&meta, 0, sizeof(meta));
	meta.project_id = p.id;
	meta.request_id = "demo-data";
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (done < o.calls) {
		size_t n = 0;
		int64_t got = 0, dup = 0;
		a.used = 0;
		for (; n < BATCH && done < o.calls; n++, done++) {
			/* calls in time order, so a transaction touches few rollup buckets */
			int64_t ts = start + (int64_t)((double)span_ms * ((double)done / (double)o.calls));
			if (fill_call(&r, &o, done, ts, &a, &spans[n], &trace, &left) != 0) {
				fprintf(stderr, "tallyctl: demo-data: batch arena too small\n");
				goto out;
			}
		}
		meta.received_ms = util_now_ms();
		if (store_spans_insert(c->store, &meta, spans, n, NULL, &got, &dup) != 0) {
			fprintf(stderr, "tallyctl: demo-data: the store refused a batch\n");
			goto out;
		}
		accepted += got;
		dups += dup;
		if (o.calls >= 1000000 && done % 1000000 < BATCH)
			fprintf(stderr, "  %" PRId64 " calls\n", done);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	{
		double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		printf("%" PRId64 " calls stored (%" PRId64 " already there) for project %s over %d days "
		    "in %.1f s (%.0f calls/s)\n", accepted, dups, p.slug, o.days, s, (double)done / (s > 0 ? s : 1));
	}
	rc = 0;
out:
	free(spans);
	free(a.buf);
	return rc;
}
