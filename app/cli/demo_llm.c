/*
 * demo_llm: LLM calls. `--calls N` spreads N calls evenly over the range
 * (the analytics benchmark's dataset: 50 features × 20 models, 20,000
 * users, traces of 1-3 calls, a quarter of the traces in a conversation,
 * 1 % errors, one call in 200 with prompt text), in transactions of 20,000.
 * demo_call_measure() is also how the realistic week sizes its calls.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "demo_gen.h"
#include "timestamp.h"
#include "util.h"

#define BATCH 20000             /* calls per transaction */
#define CALL_BYTES 96           /* the strings of one call */
#define MAX_FEATURES 500
#define USERS 20000

/* Priced by the shipped table, so the costs are verified ones. */
const struct demo_model demo_models[] = {
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
const int demo_nmodels = (int)(sizeof(demo_models) / sizeof(demo_models[0]));

static const char *const prompts[] = {
	"Summarise the customer ticket below in two sentences and tag it with billing, shipping, account or other.",
	"You are a support assistant for an online shop. Answer the question using only the policy documents provided.",
	"Rewrite the product description below for a younger audience, keep it under eighty words and keep the price.",
	"Extract the invoice number, the total, the currency and the due date from the text below as JSON.",
};

int
demo_model_index(const char *model)
{
	for (int i = 0; i < demo_nmodels; i++)
		if (strcmp(demo_models[i].model, model) == 0)
			return i;
	return -1;
}

void
demo_call_measure(struct demo_rng *r, struct llm_span *sp, double median, int m, int64_t start_ms)
{
	sp->input_tokens = demo_spread(r, median);
	sp->output_tokens = demo_spread(r, median / 6);
	if (demo_below(r, 3) == 0)
		sp->cached_tokens = sp->input_tokens * demo_below(r, 60) / 100;
	/* slower models and longer answers take longer */
	sp->latency_ms = (double)(150 + sp->output_tokens * (8 + m % 5) + demo_below(r, 400));
	sp->start_ms = start_ms;
	sp->end_ms = start_ms + (int64_t)sp->latency_ms;
	if (demo_below(r, 100) == 0) {
		sp->status = LLM_ERROR;
		sp->error = "rate_limit_exceeded";
	}
}

static const char *feature_names[MAX_FEATURES];

static void
make_feature_names(int n)
{
	static const char *const stems[] = { "chat", "search", "summarize", "classify", "extract",
	    "translate", "rewrite", "agent", "support", "code" };
	static char names[MAX_FEATURES][32];
	for (int i = 0; i < n && i < MAX_FEATURES; i++) {
		snprintf(names[i], sizeof(names[i]), "%s-%d", stems[i % 10], i / 10 + 1);
		feature_names[i] = names[i];
	}
}

/* One call: trace of 1..3 calls (the first a root), a quarter of them in a conversation. */
static void
fill_call(struct demo_rng *r, const struct demo_opts *o, int64_t i, int64_t ts,
    struct demo_sink *k, struct llm_span *sp, uint64_t *trace, int *left)
{
	int f, m;

	if (*left == 0) {
		*trace = demo_next(r);
		*left = 1 + demo_below(r, 3);
	}
	f = (int)((*trace >> 8) % (uint64_t)o->features);
	m = (int)((*trace >> 20) % (uint64_t)o->models);
	if (*left > 1 && demo_below(r, 4) == 0)
		m = demo_below(r, o->models);           /* a fallback model inside the trace */
	(*left)--;
	sp->trace_id = demo_printf(k, "demo-%016" PRIx64, *trace);
	sp->span_id = demo_printf(k, "c%" PRIx64, (uint64_t)i);
	sp->feature = feature_names[f];
	sp->provider = demo_models[m].provider;
	sp->model = demo_models[m].model;
	sp->user_id = demo_printf(k, "user-%" PRIu64, (*trace >> 32) % USERS);
	if ((*trace & 3) == 0)
		sp->session_id = demo_printf(k, "conv-%" PRIx64, (*trace >> 16) & 0xffffff);
	sp->name = sp->feature;
	demo_call_measure(r, sp, 300.0 * (1 + f % 7) * (1 + m % 3), m, ts);
	if (demo_below(r, 200) == 0)
		sp->input = prompts[demo_below(r, (int)(sizeof(prompts) / sizeof(prompts[0])))];
}

int
demo_llm_run(struct store *st, const struct project *p, const struct demo_opts *o)
{
	struct demo_sink k;
	struct demo_rng r;
	uint64_t trace = 0;
	int left = 0, rc = 1;
	int64_t span_ms = o->end_ms - o->start_ms, t0 = util_mono_us();
	char from[32], to[32];

	if (demo_sink_init(&k, st, p->id, 0, BATCH, 0, (size_t)BATCH * CALL_BYTES) != 0)
		return 1;
	make_feature_names(o->features);
	demo_rng_seed(&r, o->seed);
	for (int64_t done = 0; done < o->calls; done++) {
		/* calls in time order, so a transaction touches few rollup buckets */
		int64_t ts = o->start_ms + (int64_t)((double)span_ms * ((double)done / (double)o->calls));
		if (demo_sink_room(&k, 0, 1, 0, CALL_BYTES) != 0)
			goto out;
		fill_call(&r, o, done, ts, &k, demo_sink_span(&k), &trace, &left);
		if (o->calls >= 1000000 && done > 0 && done % 1000000 == 0)
			fprintf(stderr, "  %" PRId64 " calls (%.0f s)\n", done, demo_seconds(t0));
	}
	if (demo_sink_flush(&k) != 0)
		goto out;
	{
		double s = demo_seconds(t0);
		ts_format_iso(k.first_ms, from);
		ts_format_iso(k.last_ms, to);
		printf("%" PRId64 " calls stored (%" PRId64 " already there) for project %s over %d days "
		    "in %.1f s (%.0f calls/s), %s .. %s\n", k.spans_stored, k.spans_dup, p->slug, o->days,
		    s, (double)o->calls / (s > 0 ? s : 1), from, to);
	}
	rc = 0;
out:
	demo_sink_free(&k);
	return rc;
}
