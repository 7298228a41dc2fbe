/*
 * test_price: matching a call to its price, the cost arithmetic, USD and CSV
 * text, and the shipped table (sql/sqlite/003_prices.sql) as the migrations
 * leave it in a fresh database.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "migrations.h"
#include "price.h"
#include "tap.h"

#define USD(x) ((int64_t)((x) * 1e9 + 0.5))     /* test literals only: small, positive */
#define T2024_05_13 1715558400000LL
#define T2025_01_01 1735689600000LL
#define SHIPPED_MS 946684800000LL               /* 2000-01-01T00:00:00Z: in force for every call */
#define NOW 1790000000000LL                     /* 2026-09-21, after every row below */

static struct price
row(int64_t project, const char *provider, const char *pattern, int64_t in, int64_t from)
{
	struct price p;
	memset(&p, 0, sizeof(p));
	p.project_id = project;
	strcpy(p.provider, provider);
	strcpy(p.pattern, pattern);
	p.input_nusd = in;
	p.output_nusd = 4 * in;
	p.cached_nusd = in / 2;
	p.effective_ms = from;
	return p;
}

/* The index in list of what price_match picks, -1 for none. */
static int
pick(const struct price *list, size_t n, int64_t project, const char *provider, const char *model,
    int64_t ts)
{
	const struct price *p = price_match(list, n, project, provider, model, ts);
	return p ? (int)(p - list) : -1;
}

/* ---- price_match ---- */

static void
match_rules(void)
{
	struct price l[] = {
		/* 0 */ row(0, "", "gpt-4o*", USD(2.5), T2024_05_13),
		/* 1 */ row(0, "", "gpt-4o-mini*", USD(0.15), T2024_05_13),
		/* 2 */ row(7, "openai", "gpt-4*", USD(3), T2024_05_13),
		/* 3 */ row(8, "", "gpt-4o*", USD(9), T2024_05_13),
		/* 4 */ row(0, "", "claude-3-5-sonnet*", USD(3), T2024_05_13),
		/* 5 */ row(0, "", "claude-3-5-sonnet*", USD(4), T2025_01_01),
		/* 6 */ row(0, "anthropic", "claude-3-5-sonnet*", USD(5), T2025_01_01),
		/* 7 */ row(0, "together", "llama-?b", USD(1), T2024_05_13),
		/* 8 */ row(0, "groq", "llama-?b", USD(2), T2024_05_13),
		/* 9 */ row(0, "", "exact", USD(1), T2024_05_13),
		/* 10 */ row(0, "", "e*a*t", USD(2), T2024_05_13),
		/* 11 */ row(0, "", "tie*", USD(1), T2024_05_13),
		/* 12 */ row(0, "", "tie*", USD(2), T2024_05_13),
		/* 13 */ row(0, "", "old-but-long*", USD(1), T2024_05_13),
		/* 14 */ row(0, "", "old*", USD(2), T2025_01_01),
	};
	size_t n = sizeof(l) / sizeof(l[0]);

	/* the project's own rows, then the longest pattern */
	is_int(pick(l, n, 0, "openai", "gpt-4o", NOW), 0, "global gpt-4o* prices gpt-4o");
	is_int(pick(l, n, 0, "openai", "gpt-4o-mini", NOW), 1, "gpt-4o-mini* (longer) beats gpt-4o*");
	is_int(pick(l, n, 0, "openai", "gpt-4o-mini-2024-07-18", NOW), 1, "a dated gpt-4o-mini");
	is_int(pick(l, n, 7, "openai", "gpt-4o-mini", NOW), 2,
	    "project 7's gpt-4* beats the longer global gpt-4o-mini*");
	is_int(pick(l, n, 7, "openai", "gpt-3.5", NOW), -1, "no row of project 7 or global matches");
	is_int(pick(l, n, 9, "openai", "gpt-4o", NOW), 0, "another project's rows never match (9 sees global)");
	is_int(pick(l, n, 8, "openai", "gpt-4o", NOW), 3, "project 8 gets its own gpt-4o*");
	is_int(pick(l, n, 8, "openai", "gpt-4o-mini", NOW), 3, "project 8's shorter row beats the global longer one");
	is_int(pick(l, n, 0, "openai", "gpt-4", NOW), -1, "project 0 sees no project's rows");
	is_int(pick(l, n, 0, "", "old-but-long-model", NOW), 13, "a longer, older pattern beats a newer, shorter one");

	/* the latest effective_from not after the call */
	is_int(pick(l, n, 0, NULL, "claude-3-5-sonnet-20241022", T2024_05_13 - 1), -1,
	    "a call before every row's effective_from is unpriced");
	is_int(pick(l, n, 0, NULL, "claude-3-5-sonnet-20241022", T2024_05_13), 4,
	    "effective_from itself is in force");
	is_int(pick(l, n, 0, "openai", "claude-3-5-sonnet-20241022", T2025_01_01 - 1), 4,
	    "the older row until the newer one starts");
	is_int(pick(l, n, 0, "openai", "claude-3-5-sonnet-20241022", T2025_01_01), 5,
	    "the newer row from its first millisecond (provider openai skips the anthropic row)");
	is_int(pick(l, n, 0, "bedrock", "claude-3-5-sonnet-20241022", NOW), 5, "empty provider matches any provider");

	/* provider */
	is_int(pick(l, n, 0, "anthropic", "claude-3-5-sonnet-20241022", NOW), 6,
	    "on a tie the row naming the provider beats the empty one");
	is_int(pick(l, n, 0, "AnThRoPiC", "claude-3-5-sonnet-20241022", NOW), 6, "provider is case-insensitive");
	is_int(pick(l, n, 0, NULL, "claude-3-5-sonnet-20241022", NOW), 5,
	    "no provider: every row matches, the earlier of a tie wins");
	is_int(pick(l, n, 0, "", "claude-3-5-sonnet-20241022", NOW), 5, "provider \"\" is no provider");
	is_int(pick(l, n, 0, "together", "llama-8b", NOW), 7, "together's llama row");
	is_int(pick(l, n, 0, "groq", "llama-8b", NOW), 8, "groq's llama row");
	is_int(pick(l, n, 0, "ollama", "llama-8b", NOW), -1, "a host with no row is unpriced");

	/* the glob, case-insensitive */
	is_int(pick(l, n, 0, NULL, "GPT-4O-MINI", NOW), 1, "model names compare case-insensitively");
	is_int(pick(l, n, 0, "together", "llama-é" "b", NOW), 7, "'?' is one UTF-8 character");
	is_int(pick(l, n, 0, "together", "llama-70b", NOW), -1, "'?' is exactly one character");
	is_int(pick(l, n, 0, NULL, "exact", NOW), 9, "a pattern without '*' matches the whole name");
	is_int(pick(l, n, 0, NULL, "exactly", NOW), -1, "and nothing longer");
	is_int(pick(l, n, 0, NULL, "ExAcT", NOW), 9, "exact, case-insensitively");
	is_int(pick(l, n, 0, NULL, "eat", NOW), 10, "'*' may be empty");
	is_int(pick(l, n, 0, NULL, "exa-t-t", NOW), 10, "'*' backtracks");
	is_int(pick(l, n, 0, NULL, "tie-break", NOW), 11, "an exact tie goes to the earlier row");
	is_int(pick(l, n, 0, NULL, "gpt-4", NOW), -1, "a prefix of the pattern is no match");
	is_int(pick(l, n, 0, NULL, "", NOW), -1, "an empty model name matches nothing here");

	ok(price_match(l, n, 0, NULL, NULL, NOW) == NULL, "NULL model: NULL");
	ok(price_match(NULL, 3, 0, NULL, "gpt-4o", NOW) == NULL, "NULL list: NULL");
	ok(price_match(l, 0, 0, NULL, "gpt-4o", NOW) == NULL, "empty list: NULL");

	{
		/* a hostile pattern stays linear: many stars against a long non-match */
		struct price h = row(0, "", "", 1, 0);
		char model[101];
		memset(h.pattern, 0, sizeof(h.pattern));
		for (int i = 0; i < 60; i++)
			strcat(h.pattern, "*a");
		strcat(h.pattern, "b");
		memset(model, 'a', 100);
		model[100] = '\0';
		ok(price_match(&h, 1, 0, NULL, model, NOW) == NULL, "'*a*a…*b' against a×100: no match, no blow-up");
	}
}

/* ---- price_cost_nusd ---- */

static void
cost_arithmetic(void)
{
	struct price p = row(0, "", "m", USD(2.5), 0);
	struct price one, big;

	p.output_nusd = USD(10);
	p.cached_nusd = USD(1.25);
	/* (800 × 2.5 + 200 × 1.25 + 500 × 10) USD / 1e6 = 0.00725 USD */
	is_int(price_cost_nusd(&p, 1000, 500, 200), 7250000, "1000 in (200 cached), 500 out at 2.5/10/1.25");
	is_int(price_cost_nusd(&p, 1000, 500, 0), 7500000, "nothing cached");
	is_int(price_cost_nusd(&p, 1000000, 0, 0), USD(2.5), "one million input tokens cost the input price");
	is_int(price_cost_nusd(&p, 0, 1000000, 0), USD(10), "one million output tokens cost the output price");
	is_int(price_cost_nusd(&p, 1000000, 0, 1000000), USD(1.25), "all cached: the cached price");
	is_int(price_cost_nusd(&p, 100, 0, 300), 125000, "cached above input counts as all input cached");
	is_int(price_cost_nusd(&p, -5, -5, -5), 0, "negative counts count as 0");
	is_int(price_cost_nusd(&p, 1000, -1, 2000), 1250000, "negative output, cached > input");
	is_int(price_cost_nusd(NULL, 1000, 1000, 0), 0, "NULL price costs 0");
	is_int(price_cost_nusd(&p, 0, 0, 0), 0, "no tokens, no cost");

	/* rounded half up, once, at the end */
	one = row(0, "", "m", 1, 0);
	one.output_nusd = 1;
	one.cached_nusd = 0;
	is_int(price_cost_nusd(&one, 499999, 0, 0), 0, "0.499999 nusd rounds down");
	is_int(price_cost_nusd(&one, 500000, 0, 0), 1, "0.5 nusd rounds up");
	is_int(price_cost_nusd(&one, 1499999, 0, 0), 1, "1.499999 rounds to 1");
	is_int(price_cost_nusd(&one, 300000, 300000, 0), 1, "0.3 + 0.3 rounded once (not 0 + 0)");
	is_int(price_cost_nusd(&one, 1000000, 0, 1000000), 0, "free cached tokens");

	/* exact beyond 64 bits in the middle, saturating at the end */
	big = row(0, "", "m", 1000000000000LL, 0);     /* $1000 per million tokens */
	big.output_nusd = 0;
	big.cached_nusd = 0;
	is_int(price_cost_nusd(&big, 9000000000000LL, 0, 0), 9000000000000000000LL,
	    "9e12 tokens × 1e12: a 9e24 product divided exactly");
	is_int(price_cost_nusd(&big, 9300000000000LL, 0, 0), INT64_MAX, "a cost above INT64_MAX saturates");
	big.input_nusd = 1000000;
	is_int(price_cost_nusd(&big, INT64_MAX, 0, 0), INT64_MAX, "INT64_MAX tokens at 1 nusd each: exactly INT64_MAX");
	big.output_nusd = 1000000;
	is_int(price_cost_nusd(&big, INT64_MAX, 1, 0), INT64_MAX, "one more nano-dollar saturates");
	big.input_nusd = big.output_nusd = big.cached_nusd = INT64_MAX;
	is_int(price_cost_nusd(&big, INT64_MAX, INT64_MAX, INT64_MAX / 2), INT64_MAX,
	    "every count and price at INT64_MAX: no overflow, saturated");
	big.input_nusd = -USD(1);
	big.output_nusd = USD(1);
	big.cached_nusd = -1;
	is_int(price_cost_nusd(&big, 1000000, 1000000, 0), USD(1), "a negative price counts as 0");
}

/* ---- USD text ---- */

static void
usd_parses(const char *s, int64_t want)
{
	int64_t v = -7;
	int rc = price_parse_usd(s, &v);
	ok(rc == 0 && v == want, "usd '%s' = %lld nusd", s, (long long)want);
	if (rc != 0 || v != want)
		tap_diag("rc %d, value %lld", rc, (long long)v);
}

static void
usd_refused(const char *s, const char *why)
{
	int64_t v = -7;
	int rc = price_parse_usd(s, &v);
	ok(rc == -1 && v == 0, "usd '%s' refused (%s), output zeroed", s ? s : "(null)", why);
	if (rc != -1 || v != 0)
		tap_diag("rc %d, value %lld", rc, (long long)v);
}

static void
usd_formats(int64_t nusd, const char *want)
{
	char out[PRICE_USD_LEN];
	int64_t back = -7;

	memset(out, 'x', sizeof(out));
	price_format_usd(nusd, out, sizeof(out));
	is_str(out, want, "format %lld nusd", (long long)nusd);
	if (nusd >= 0)
		ok(price_parse_usd(out, &back) == 0 && back == nusd, "'%s' parses back to %lld", out,
		    (long long)nusd);
}

static void
usd_text(void)
{
	char small[4];

	usd_parses("0.15", 150000000);
	usd_parses("2", 2000000000);
	usd_parses("2.50", 2500000000);
	usd_parses("0", 0);
	usd_parses("0.0", 0);
	usd_parses("00.5", 500000000);
	usd_parses("0.000000001", 1);
	usd_parses("0.075", 75000000);
	usd_parses("0.01875", 18750000);
	usd_parses("150", 150000000000LL);
	usd_parses("9223372036.854775807", INT64_MAX);

	usd_refused(NULL, "NULL");
	usd_refused("", "empty");
	usd_refused("-1", "negative");
	usd_refused("+1", "a sign");
	usd_refused(".5", "no whole part");
	usd_refused("5.", "no fraction after the point");
	usd_refused("1e3", "an exponent");
	usd_refused("1,5", "a decimal comma");
	usd_refused(" 1", "a leading space");
	usd_refused("1 ", "a trailing space");
	usd_refused("1\n", "a newline");
	usd_refused("$1", "a currency sign");
	usd_refused("0.0000000001", "below a nano-dollar");
	usd_refused("0.1234567890", "a tenth fractional digit, even a zero");
	usd_refused("1.2.3", "two points");
	usd_refused("abc", "letters");
	usd_refused("NaN", "NaN");
	usd_refused("9223372036.854775808", "one nano-dollar above INT64_MAX");
	usd_refused("9223372037", "whole dollars above INT64_MAX nusd");
	usd_refused("99999999999999999999999", "digits beyond any int64");

	usd_formats(150000000, "0.15");
	usd_formats(2000000000, "2");
	usd_formats(2500000000, "2.5");
	usd_formats(1, "0.000000001");
	usd_formats(0, "0");
	usd_formats(18750000, "0.01875");
	usd_formats(1000000001, "1.000000001");
	usd_formats(INT64_MAX, "9223372036.854775807");
	usd_formats(-1500000000, "-1.5");
	usd_formats(INT64_MIN, "-9223372036.854775808");

	memset(small, 'x', sizeof(small));
	price_format_usd(2500000000, small, 3);
	is_str(small, "2.", "a short buffer truncates and stays terminated");
	small[0] = 'x';
	price_format_usd(1, small, 0);
	ok(small[0] == 'x', "outlen 0 writes nothing");
}

/* ---- CSV ---- */

static void
csv_row_is(const char *line, const char *provider, const char *pattern, int64_t in, int64_t out,
    int64_t cached, int64_t from, const char *source)
{
	struct price p;
	char err[256] = "";
	int rc = price_csv_parse(line, &p, err, sizeof(err));

	ok(rc == 0 && strcmp(p.provider, provider) == 0 && strcmp(p.pattern, pattern) == 0 &&
	    p.input_nusd == in && p.output_nusd == out && p.cached_nusd == cached &&
	    p.effective_ms == from && strcmp(p.source_date, source) == 0 && p.id == 0 &&
	    p.project_id == 0, "csv parses '%s'", line);
	if (rc != 0)
		tap_diag("refused: %s", err);
	else if (strcmp(p.pattern, pattern) != 0 || p.effective_ms != from || p.input_nusd != in)
		tap_diag("got provider '%s' pattern '%s' in %lld out %lld cached %lld from %lld source '%s'",
		    p.provider, p.pattern, (long long)p.input_nusd, (long long)p.output_nusd,
		    (long long)p.cached_nusd, (long long)p.effective_ms, p.source_date);
}

/* Refused with an error naming what (a column, or the problem). */
static void
csv_refused(const char *line, const char *what, const char *why)
{
	struct price p;
	char err[256] = "";
	int rc = price_csv_parse(line, &p, err, sizeof(err));

	ok(rc == -1 && strstr(err, what) != NULL, "csv refuses %s; the error says '%s'", why, what);
	if (rc != -1 || strstr(err, what) == NULL)
		tap_diag("rc %d, error '%s'", rc, err);
}

static void
csv_round_trip(const struct price *in, const char *name)
{
	char line[PRICE_CSV_LINE_MAX], err[256] = "";
	struct price back;
	int len = price_csv_format(in, line, sizeof(line));

	ok(len > 0 && (size_t)len == strlen(line) && line[len - 1] == '\n' &&
	    price_csv_parse(line, &back, err, sizeof(err)) == 0 &&
	    strcmp(back.provider, in->provider) == 0 && strcmp(back.pattern, in->pattern) == 0 &&
	    back.input_nusd == in->input_nusd && back.output_nusd == in->output_nusd &&
	    back.cached_nusd == in->cached_nusd && back.effective_ms == in->effective_ms &&
	    strcmp(back.source_date, in->source_date) == 0, "csv round trip: %s", name);
	if (len <= 0 || err[0] != '\0')
		tap_diag("format %d '%s', parse error '%s'", len, len > 0 ? line : "", err);
}

static void
csv(void)
{
	struct price p;
	char line[PRICE_CSV_LINE_MAX], long_line[1200];
	int len;

	is_str(PRICE_CSV_HEADER,
	    "provider,pattern,input_per_mtok,output_per_mtok,cached_input_per_mtok,effective_from,source_date",
	    "the header tallyctl prices import and export speak");

	csv_row_is("openai,gpt-4o*,2.5,10,1.25,2024-05-13,2026-11-22", "openai", "gpt-4o*", USD(2.5),
	    USD(10), USD(1.25), T2024_05_13, "2026-11-22");
	csv_row_is("openai,gpt-4o*,2.5,10,1.25,2024-05-13,2026-11-22\n", "openai", "gpt-4o*", USD(2.5),
	    USD(10), USD(1.25), T2024_05_13, "2026-11-22");
	csv_row_is("openai,gpt-4o*,2.5,10,1.25,2024-05-13,2026-11-22\r\n", "openai", "gpt-4o*",
	    USD(2.5), USD(10), USD(1.25), T2024_05_13, "2026-11-22");
	csv_row_is(",m,0,0,0,2025-01-01,", "", "m", 0, 0, 0, T2025_01_01, "");
	csv_row_is(",m,1,2,3,2025-01-01T10:00:00Z,", "", "m", USD(1), USD(2), USD(3),
	    T2025_01_01 + 36000000, "");
	csv_row_is("\"open,ai\",\"say \"\"hi\"\"*\",1,2,3,2025-01-01,", "open,ai", "say \"hi\"*", USD(1),
	    USD(2), USD(3), T2025_01_01, "");
	csv_row_is("\"\",\"m\",\"1\",\"2\",\"3\",\"2025-01-01\",\"\"", "", "m", USD(1), USD(2), USD(3),
	    T2025_01_01, "");
	csv_row_is("x, padded ,1,2,3,2025-01-01,", "x", " padded ", USD(1), USD(2), USD(3), T2025_01_01, "");
	csv_row_is("x,modèle-é*,1,2,3,2025-01-01,", "x", "modèle-é*", USD(1), USD(2), USD(3),
	    T2025_01_01, "");

	csv_refused(NULL, "no line", "NULL");
	csv_refused("", "empty", "an empty line");
	csv_refused("\r\n", "empty", "a blank CRLF line");
	csv_refused("openai,gpt,1,2,3,2025-01-01", "source_date: missing", "six columns");
	csv_refused("openai,gpt", "input_per_mtok: missing", "two columns");
	csv_refused("openai,gpt,1,2,3,2025-01-01,,extra", "more than 7 columns", "eight columns");
	csv_refused("openai,,1,2,3,2025-01-01,", "pattern: empty", "an empty pattern");
	csv_refused("openai,m,1e3,2,3,2025-01-01,", "input_per_mtok", "an exponent");
	csv_refused("openai,m,1,-2,3,2025-01-01,", "output_per_mtok", "a negative price");
	csv_refused("openai,m,1,2,,2025-01-01,", "cached_input_per_mtok", "an empty cached price");
	csv_refused("openai,m,1,2,3,2025-13-01,", "effective_from", "month 13");
	csv_refused("openai,m,1,2,3,2025-02-30,", "effective_from", "February 30");
	csv_refused("openai,m,1,2,3,,", "effective_from", "no effective date");
	csv_refused("openai,m,1,2,3,1735689600000,", "effective_from", "epoch ms in the CSV");
	csv_refused("openai,m,1,2,3,2025-01-01,yesterday", "source_date", "a word as source_date");
	csv_refused("openai,m,1,2,3,2025-01-01,2025-01-01T10:00:00Z", "source_date",
	    "a time as source_date");
	csv_refused("\"openai,m,1,2,3,2025-01-01,", "provider: badly quoted", "an unterminated quote");
	csv_refused("openai,m\"x,1,2,3,2025-01-01,", "pattern: badly quoted", "a quote inside a bare field");
	csv_refused("openai,\"m\"x,1,2,3,2025-01-01,", "pattern: badly quoted", "text after the closing quote");
	csv_refused("openai,m\tx,1,2,3,2025-01-01,", "pattern: control character", "a tab");
	csv_refused("open\x1b" "ai,m,1,2,3,2025-01-01,", "provider: control character", "an escape");
	csv_refused("openai,m\xff,1,2,3,2025-01-01,", "pattern: control character or invalid UTF-8",
	    "a stray byte");
	csv_refused("openai,m\xc0\xaf,1,2,3,2025-01-01,", "invalid UTF-8", "an overlong '/'");
	csv_refused("openai,m\xed\xa0\x80,1,2,3,2025-01-01,", "invalid UTF-8", "a surrogate");
	csv_refused("openai,m\xf4\x90\x80\x80,1,2,3,2025-01-01,", "invalid UTF-8", "beyond U+10FFFF");
	csv_refused("openai,m\ny,1,2,3,2025-01-01,", "line break", "a line break inside");

	memset(long_line, 'a', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	csv_refused(long_line, "longer than 1023", "a 1199-byte line");
	memcpy(long_line, "x,", 2);
	memset(long_line + 2, 'p', 128);
	strcpy(long_line + 130, ",1,2,3,2025-01-01,");
	csv_refused(long_line, "pattern: longer than 127", "a 128-byte pattern");
	memset(long_line, 'o', 64);
	strcpy(long_line + 64, ",m,1,2,3,2025-01-01,");
	csv_refused(long_line, "provider: longer than 63", "a 64-byte provider");

	/* format: the example row, exactly */
	p = row(0, "openai", "gpt-4o*", USD(2.5), T2024_05_13);
	p.output_nusd = USD(10);
	p.cached_nusd = USD(1.25);
	strcpy(p.source_date, "2026-11-22");
	len = price_csv_format(&p, line, sizeof(line));
	is_str(line, "openai,gpt-4o*,2.5,10,1.25,2024-05-13,2026-11-22\n", "format writes the example row");
	is_int(len, (int)strlen(line), "format returns the length");
	ok(price_csv_format(&p, line, (size_t)len) == -1, "one byte short of room: -1");
	ok(price_csv_format(&p, line, (size_t)len + 1) == len, "exactly enough room");

	csv_round_trip(&p, "the example row");
	p.provider[0] = '\0';
	p.source_date[0] = '\0';
	csv_round_trip(&p, "any provider, no source date");
	strcpy(p.provider, "open,ai \"quoted\"");
	strcpy(p.pattern, " lead*");
	p.effective_ms = T2025_01_01 + 36000123;
	csv_round_trip(&p, "comma, quotes, outer space, a time of day");
	strcpy(p.pattern, "modèle-?-*");
	p.input_nusd = 1;
	p.output_nusd = INT64_MAX;
	p.cached_nusd = 0;
	csv_round_trip(&p, "UTF-8 pattern, extreme prices");

	p.input_nusd = -1;
	ok(price_csv_format(&p, line, sizeof(line)) == -1, "format refuses a negative price");
	p.input_nusd = 1;
	strcpy(p.pattern, "a\nb");
	ok(price_csv_format(&p, line, sizeof(line)) == -1, "format refuses a control character");
	p.pattern[0] = '\0';
	ok(price_csv_format(&p, line, sizeof(line)) == -1, "format refuses an empty pattern");
}

/* ---- the shipped table ---- */

struct table {
	struct price *p;
	size_t n;
};

/* Every embedded migration in a fresh in-memory database, as tally-worker would apply them. */
static sqlite3 *
migrated_db(void)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return NULL;
	for (const struct migration *m = sqlite_migrations; m->version; m++)
		if (sqlite3_exec(db, m->sql, NULL, NULL, &msg) != SQLITE_OK) {
			tap_diag("migration %s: %s", m->name, msg ? msg : "?");
			sqlite3_free(msg);
			sqlite3_close(db);
			return NULL;
		}
	return db;
}

static int
load_table(sqlite3 *db, struct table *t)
{
	sqlite3_stmt *s;
	int step;

	memset(t, 0, sizeof(*t));
	if (sqlite3_prepare_v2(db, "SELECT id, project_id, provider, pattern, input_nusd, output_nusd, "
	    "cached_nusd, effective_from, source_date FROM model_prices ORDER BY provider, pattern, "
	    "effective_from", -1, &s, NULL) != SQLITE_OK)
		return -1;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct price *p = realloc(t->p, (t->n + 1) * sizeof(*p));
		if (p == NULL)
			break;
		t->p = p;
		p = &t->p[t->n++];
		memset(p, 0, sizeof(*p));
		p->id = sqlite3_column_int64(s, 0);
		p->project_id = sqlite3_column_int64(s, 1);
		snprintf(p->provider, sizeof(p->provider), "%s", (const char *)sqlite3_column_text(s, 2));
		snprintf(p->pattern, sizeof(p->pattern), "%s", (const char *)sqlite3_column_text(s, 3));
		p->input_nusd = sqlite3_column_int64(s, 4);
		p->output_nusd = sqlite3_column_int64(s, 5);
		p->cached_nusd = sqlite3_column_int64(s, 6);
		p->effective_ms = sqlite3_column_int64(s, 7);
		snprintf(p->source_date, sizeof(p->source_date), "%s", (const char *)sqlite3_column_text(s, 8));
	}
	sqlite3_finalize(s);
	return step == SQLITE_DONE ? 0 : -1;
}

/* The shipped row pricing model is pattern at these USD prices. */
static void
priced_by(const struct table *t, const char *provider, const char *model, const char *pattern,
    double in, double out, double cached)
{
	const struct price *p = price_match(t->p, t->n, 1, provider, model, NOW);

	ok(p != NULL && strcmp(p->pattern, pattern) == 0 && p->input_nusd == USD(in) &&
	    p->output_nusd == USD(out) && p->cached_nusd == USD(cached),
	    "%s/%s is priced by '%s' at %g/%g/%g", provider ? provider : "-", model, pattern, in, out, cached);
	if (p == NULL)
		tap_diag("no row matches");
	else if (strcmp(p->pattern, pattern) != 0 || p->input_nusd != USD(in))
		tap_diag("got '%s' at %lld/%lld/%lld nusd", p->pattern, (long long)p->input_nusd,
		    (long long)p->output_nusd, (long long)p->cached_nusd);
}

static void
unpriced(const struct table *t, const char *provider, const char *model, int64_t ts, const char *why)
{
	const struct price *p = price_match(t->p, t->n, 1, provider, model, ts);
	ok(p == NULL, "%s/%s is unpriced: %s", provider ? provider : "-", model, why);
	if (p != NULL)
		tap_diag("priced by '%s'", p->pattern);
}

/* The date in "-- Prices taken: YYYY-MM-DD." at the top of the migration. */
static int
header_date(char out[11])
{
	for (const struct migration *m = sqlite_migrations; m->version; m++) {
		const char *at = strstr(m->sql, "Prices taken: ");
		if (strcmp(m->name, "003_prices") == 0 && at != NULL) {
			snprintf(out, 11, "%s", at + strlen("Prices taken: "));
			return 0;
		}
	}
	return -1;
}

static void
shipped(void)
{
	sqlite3 *db = migrated_db();
	struct table t;
	char date[11] = "";
	int bad_date = 0, bad_from = 0, bad_project = 0, dear_cache = 0, shadowed = 0, dups = 0;

	ok(db != NULL, "every embedded migration applies to an empty database");
	if (db == NULL || load_table(db, &t) != 0) {
		ok(0, "model_prices is readable");
		sqlite3_close(db);
		return;
	}
	ok(t.n >= 60, "the shipped table has %zu rows", t.n);
	ok(header_date(date) == 0 && strlen(date) == 10, "003_prices.sql names the date its prices were taken (%s)",
	    date);

	priced_by(&t, "openai", "gpt-4o", "gpt-4o*", 2.5, 10, 1.25);
	priced_by(&t, "openai", "gpt-4o-2024-08-06", "gpt-4o*", 2.5, 10, 1.25);
	priced_by(&t, "openai", "gpt-4o-mini", "gpt-4o-mini*", 0.15, 0.6, 0.075);
	priced_by(&t, NULL, "gpt-4o-mini-2024-07-18", "gpt-4o-mini*", 0.15, 0.6, 0.075);
	priced_by(&t, "openai", "gpt-4o-2024-05-13", "gpt-4o-2024-05-13", 5, 15, 5);
	priced_by(&t, "openai", "gpt-4.1", "gpt-4.1*", 2, 8, 0.5);
	priced_by(&t, "openai", "gpt-4.1-mini-2025-04-14", "gpt-4.1-mini*", 0.4, 1.6, 0.1);
	priced_by(&t, "openai", "gpt-4.1-nano", "gpt-4.1-nano*", 0.1, 0.4, 0.025);
	priced_by(&t, "openai", "o1", "o1*", 15, 60, 7.5);
	priced_by(&t, "openai", "o1-mini", "o1-mini*", 1.1, 4.4, 0.55);
	priced_by(&t, "openai", "o3-mini-2025-01-31", "o3-mini*", 1.1, 4.4, 0.55);
	priced_by(&t, "openai", "o4-mini", "o4-mini*", 1.1, 4.4, 0.275);
	priced_by(&t, "openai", "gpt-4-turbo-2024-04-09", "gpt-4-turbo*", 10, 30, 10);
	priced_by(&t, "openai", "gpt-3.5-turbo-0125", "gpt-3.5-turbo*", 0.5, 1.5, 0.5);
	priced_by(&t, "openai", "gpt-5-nano", "gpt-5-nano*", 0.05, 0.4, 0.005);
	priced_by(&t, "azure.ai.openai", "gpt-4o", "gpt-4o*", 2.5, 10, 1.25);
	priced_by(&t, "anthropic", "claude-3-5-sonnet-20241022", "claude-3-5-sonnet*", 3, 15, 0.3);
	priced_by(&t, "anthropic", "claude-3-5-haiku-latest", "claude-3-5-haiku*", 0.8, 4, 0.08);
	priced_by(&t, "anthropic", "claude-3-haiku-20240307", "claude-3-haiku*", 0.25, 1.25, 0.03);
	priced_by(&t, "anthropic", "claude-sonnet-4-20250514", "claude-sonnet-4*", 3, 15, 0.3);
	priced_by(&t, "anthropic", "claude-opus-4-1-20250805", "claude-opus-4*", 15, 75, 1.5);
	priced_by(&t, "google", "gemini-1.5-pro", "gemini-1.5-pro*", 1.25, 5, 0.3125);
	priced_by(&t, "gcp.gemini", "gemini-1.5-flash-8b", "gemini-1.5-flash-8b*", 0.0375, 0.15, 0.01);
	priced_by(&t, "google", "gemini-2.0-flash-001", "gemini-2.0-flash*", 0.1, 0.4, 0.025);
	priced_by(&t, "google", "gemini-2.5-flash-lite", "gemini-2.5-flash-lite*", 0.1, 0.4, 0.025);
	priced_by(&t, "google", "gemini-2.5-pro", "gemini-2.5-pro*", 1.25, 10, 0.31);
	priced_by(&t, "mistral", "mistral-large-latest", "mistral-large*", 2, 6, 2);
	priced_by(&t, "mistral", "codestral-2501", "codestral*", 0.3, 0.9, 0.3);
	priced_by(&t, "together", "meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo",
	    "meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo", 0.88, 0.88, 0.88);
	priced_by(&t, "together", "meta-llama/llama-3.3-70b-instruct-turbo",
	    "meta-llama/Llama-3.3-70B-Instruct-Turbo", 0.88, 0.88, 0.88);

	{
		const struct price *p = price_match(t.p, t.n, 1, "openai", "gpt-4o-mini", NOW);
		is_int(price_cost_nusd(p, 1000, 500, 200), 435000,
		    "gpt-4o-mini, 1000 in (200 cached) and 500 out: 0.000435 USD, not gpt-4o's 0.00725");
	}
	unpriced(&t, "ollama", "mistral-large-latest", NOW, "Mistral's price is for Mistral's API");
	unpriced(&t, "groq", "meta-llama/Llama-3.3-70B-Instruct-Turbo", NOW, "Together's price is Together's");
	unpriced(&t, "together", "meta-llama/Llama-3.3-70B-Instruct-Turbo-Free", NOW, "the free variant");
	unpriced(&t, "openai", "my-fine-model", NOW, "no such model");
	unpriced(&t, "openai", "gpt-4o", SHIPPED_MS - 1, "a call before 2000");

	for (size_t i = 0; i < t.n; i++) {
		const struct price *p = &t.p[i], *self;
		char name[sizeof(p->pattern)];
		size_t k = 0;

		bad_date += strcmp(p->source_date, date) != 0;
		bad_from += p->effective_ms != SHIPPED_MS;
		bad_project += p->project_id != 0;
		dear_cache += p->cached_nusd > p->input_nusd;
		dups += i > 0 && strcmp(p->provider, t.p[i - 1].provider) == 0 &&
		    strcmp(p->pattern, t.p[i - 1].pattern) == 0;
		/* the pattern read as a model name (stars dropped) must be priced by its own row */
		for (const char *c = p->pattern; *c; c++)
			if (*c != '*')
				name[k++] = *c;
		name[k] = '\0';
		self = price_match(t.p, t.n, 0, p->provider, name, NOW);
		if (self != p) {
			shadowed++;
			tap_diag("'%s' is priced by '%s', not its own row", name, self ? self->pattern : "nothing");
		}
	}
	is_int(bad_date, 0, "every row's source_date is the date at the top of the file");
	is_int(bad_from, 0, "every row is in force from that date's midnight UTC");
	is_int(bad_project, 0, "every shipped row is global (project 0)");
	is_int(dear_cache, 0, "no cached price above its input price");
	is_int(dups, 0, "one row per provider and pattern");
	is_int(shadowed, 0, "no row is shadowed by another");

	free(t.p);
	sqlite3_close(db);
}

int
main(void)
{
	match_rules();
	cost_arithmetic();
	usd_text();
	csv();
	shipped();
	return tap_done();
}
