/*
 * price: model prices and verified cost (SPEC §5.1). Prices are nano-dollars
 * per million tokens; costs are integer nano-dollars. The store keeps the
 * table (model_prices); this module matches a call to a price and computes.
 */
#ifndef TALLY_PRICE_H
#define TALLY_PRICE_H

#include <stddef.h>
#include <stdint.h>

struct price {
	int64_t id;
	int64_t project_id;             /* 0: the global (shipped) table */
	char provider[64];
	char pattern[128];              /* glob on the model name: '*' any run, '?' one char */
	int64_t input_nusd;             /* per million uncached input tokens */
	int64_t output_nusd;            /* per million output tokens */
	int64_t cached_nusd;            /* per million cached input tokens */
	int64_t effective_ms;           /* in force from (UTC ms) */
	char source_date[16];           /* YYYY-MM-DD the price was taken */
};

/*
 * The price of model (provider may be NULL: any) at ts_ms among list[n]:
 * the project's own rows beat the global ones; then the longest matching
 * pattern; then the latest effective_ms not after ts_ms. Model and provider
 * compare case-insensitively. NULL when nothing matches.
 */
const struct price *price_match(const struct price *list, size_t n, int64_t project_id,
    const char *provider, const char *model, int64_t ts_ms);

/*
 * Cost in nano-dollars: (input - cached) × input + cached × cached_price +
 * output × output, over one million, rounded half up once at the end
 * (cached above input counts as all input cached).
 */
int64_t price_cost_nusd(const struct price *p, int64_t input_tokens, int64_t output_tokens,
    int64_t cached_tokens);

/* Exact decimal USD ("0.15", "2", "0.000001") → nano-dollars; -1 when malformed or < 0. */
int price_parse_usd(const char *s, int64_t *nusd);
/* Nano-dollars → shortest exact decimal USD ("0.15"). */
void price_format_usd(int64_t nusd, char *out, size_t outlen);

#endif
