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
 *
 * Rows of other projects never match. provider NULL or "" matches every
 * row, and a row whose provider is "" matches every provider; when the
 * rules above tie, the row naming the provider wins, then the earlier row.
 * '?' is one UTF-8 character; there is no escape for a literal '*' or '?'.
 */
const struct price *price_match(const struct price *list, size_t n, int64_t project_id,
    const char *provider, const char *model, int64_t ts_ms);

/*
 * Cost in nano-dollars: (input - cached) × input + cached × cached_price +
 * output × output, over one million, rounded half up once at the end
 * (cached above input counts as all input cached).
 *
 * The arithmetic is exact (128-bit) for every int64 count and price; a
 * cost above INT64_MAX saturates there. Negative counts count as 0, and a
 * NULL p costs 0.
 */
int64_t price_cost_nusd(const struct price *p, int64_t input_tokens, int64_t output_tokens,
    int64_t cached_tokens);

/* Exact decimal USD ("0.15", "2", "0.000001") → nano-dollars; -1 when malformed or < 0. */
int price_parse_usd(const char *s, int64_t *nusd);
/* Nano-dollars → shortest exact decimal USD ("0.15"). */
void price_format_usd(int64_t nusd, char *out, size_t outlen);

/* Room for any price_format_usd result ("-9223372036.854775808" and the NUL). */
#define PRICE_USD_LEN 24

/*
 * The CSV form of the table (tallyctl prices import/export): this header,
 * then one row per price, USD per million tokens and UTC dates:
 *
 *   openai,gpt-4o*,2.5,10,1.25,2024-05-13,2026-11-22
 *
 * provider may be empty (any provider); source_date may be empty. A field
 * holding a comma, a quote or an outer space is quoted as RFC 4180 says.
 */
#define PRICE_CSV_HEADER \
	"provider,pattern,input_per_mtok,output_per_mtok,cached_input_per_mtok,effective_from,source_date"
/* Longest row price_csv_parse reads; also enough for any price_csv_format output. */
#define PRICE_CSV_LINE_MAX 1024

/*
 * Parses one data row (a trailing "\n" or "\r\n" is allowed) into *p, which
 * is zeroed first: id and project_id stay 0, effective_ms is midnight UTC of
 * effective_from (a full RFC 3339 time is accepted there too). Returns 0, or
 * -1 with err naming the column and the problem ("input_per_mtok: '1e3' is
 * not a decimal USD amount").
 */
int price_csv_parse(const char *line, struct price *p, char *err, size_t errlen);

/*
 * Writes p as one row ending in "\n" that price_csv_parse reads back to the
 * same values (effective_from is a date when effective_ms is a UTC midnight,
 * else the full time). Returns the length, or -1 when outlen is too small
 * or p holds what no row can carry (a control character, a negative price).
 */
int price_csv_format(const struct price *p, char *out, size_t outlen);

#endif
