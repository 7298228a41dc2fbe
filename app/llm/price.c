/*
 * price: match an LLM call to its model price and compute the verified cost
 * (SPEC §5.1). Money is integer nano-dollars end to end: the table holds
 * nano-dollars per million tokens, USD strings are parsed and printed as
 * exact decimals, and the cost is one 128-bit product rounded once.
 */
#include "price.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "timestamp.h"
#include "util.h"

#define NUSD_PER_USD 1000000000LL
#define TOKENS_PER_PRICE 1000000    /* prices are per million tokens */
#define MS_PER_DAY 86400000LL

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* ASCII case-insensitive equality; locale-independent on purpose. */
static int
same_ci(const char *a, const char *b)
{
	for (; *a != '\0' && lower((unsigned char)*a) == lower((unsigned char)*b); a++, b++)
		;
	return *a == '\0' && *b == '\0';
}

/* Length of the UTF-8 character at s (1 for a stray byte): what '?' eats. */
static size_t
char_len(const unsigned char *s)
{
	size_t n = 1;
	if (*s >= 0xc0)
		while (n < 4 && (s[n] & 0xc0) == 0x80)
			n++;
	return n;
}

/*
 * Glob match, ASCII case-insensitive. Iterative with one backtrack point
 * (the last '*'), so it is O(len(pat) × len(s)) and never recurses, whatever
 * the pattern.
 */
static int
glob_match(const char *pat, const char *s)
{
	const unsigned char *p = (const unsigned char *)pat, *t = (const unsigned char *)s;
	const unsigned char *star = NULL, *retry = NULL;

	while (*t != '\0') {
		if (*p == '*') {
			star = ++p;
			retry = t;
		} else if (*p == '?') {
			p++;
			t += char_len(t);
		} else if (*p != '\0' && lower(*p) == lower(*t)) {
			p++;
			t++;
		} else if (star != NULL) {
			/* let the last '*' swallow one more character and retry */
			p = star;
			retry += char_len(retry);
			t = retry;
		} else
			return 0;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/* 1 when a beats b under the rules of price.h (both already match). */
static int
better(const struct price *a, const struct price *b, int64_t project_id, const char *provider)
{
	int a_own = project_id != 0 && a->project_id == project_id;
	int b_own = project_id != 0 && b->project_id == project_id;
	size_t a_len = strlen(a->pattern), b_len = strlen(b->pattern);
	int a_named, b_named;

	if (a_own != b_own)
		return a_own;
	if (a_len != b_len)
		return a_len > b_len;
	if (a->effective_ms != b->effective_ms)
		return a->effective_ms > b->effective_ms;
	a_named = provider != NULL && *provider != '\0' && a->provider[0] != '\0';
	b_named = provider != NULL && *provider != '\0' && b->provider[0] != '\0';
	return a_named && !b_named;
}

const struct price *
price_match(const struct price *list, size_t n, int64_t project_id, const char *provider,
    const char *model, int64_t ts_ms)
{
	const struct price *best = NULL;

	if (list == NULL || model == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct price *p = &list[i];

		if (p->project_id != 0 && p->project_id != project_id)
			continue;
		if (p->effective_ms > ts_ms)
			continue;
		if (provider != NULL && *provider != '\0' && p->provider[0] != '\0' &&
		    !same_ci(p->provider, provider))
			continue;
		if (!glob_match(p->pattern, model))
			continue;
		if (best == NULL || better(p, best, project_id, provider))
			best = p;
	}
	return best;
}

int64_t
price_cost_nusd(const struct price *p, int64_t input_tokens, int64_t output_tokens,
    int64_t cached_tokens)
{
	unsigned __int128 sum;
	uint64_t in, out, cached, in_price, out_price, cached_price;

	if (p == NULL)
		return 0;
	in = input_tokens > 0 ? (uint64_t)input_tokens : 0;
	out = output_tokens > 0 ? (uint64_t)output_tokens : 0;
	cached = cached_tokens > 0 ? (uint64_t)cached_tokens : 0;
	if (cached > in)
		cached = in;    /* input_tokens counts cached ones too (llm.h) */
	in_price = p->input_nusd > 0 ? (uint64_t)p->input_nusd : 0;
	out_price = p->output_nusd > 0 ? (uint64_t)p->output_nusd : 0;
	cached_price = p->cached_nusd > 0 ? (uint64_t)p->cached_nusd : 0;

	/* each product < 2^126, so the sum of three and the half fit in 128 bits */
	sum = (unsigned __int128)(in - cached) * in_price +
	    (unsigned __int128)cached * cached_price +
	    (unsigned __int128)out * out_price;
	sum = (sum + TOKENS_PER_PRICE / 2) / TOKENS_PER_PRICE;
	return sum > (unsigned __int128)INT64_MAX ? INT64_MAX : (int64_t)sum;
}

int
price_parse_usd(const char *s, int64_t *nusd)
{
	int64_t whole = 0, frac = 0, scale = NUSD_PER_USD;
	const char *p = s;

	*nusd = 0;
	if (s == NULL || *p < '0' || *p > '9')
		return -1;      /* empty, a sign, a space, ".5" */
	for (; *p >= '0' && *p <= '9'; p++) {
		if (whole > (INT64_MAX / NUSD_PER_USD - (*p - '0')) / 10)
			return -1;
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;      /* "5." */
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (scale == 1)
				return -1;      /* a tenth digit: below a nano-dollar */
			scale /= 10;
			frac += (*p - '0') * scale;
		}
	}
	if (*p != '\0')
		return -1;      /* exponent, comma, trailing junk */
	if (whole > (INT64_MAX - frac) / NUSD_PER_USD)
		return -1;
	*nusd = whole * NUSD_PER_USD + frac;
	return 0;
}

void
price_format_usd(int64_t nusd, char *out, size_t outlen)
{
	char tmp[PRICE_USD_LEN];
	uint64_t mag = nusd < 0 ? 0 - (uint64_t)nusd : (uint64_t)nusd;
	uint64_t whole = mag / NUSD_PER_USD, frac = mag % NUSD_PER_USD;
	int len;

	len = snprintf(tmp, sizeof(tmp), "%s%llu", nusd < 0 ? "-" : "", (unsigned long long)whole);
	if (frac != 0) {
		int digits = 9;
		while (frac % 10 == 0) {
			frac /= 10;
			digits--;
		}
		snprintf(tmp + len, sizeof(tmp) - (size_t)len, ".%0*llu", digits,
		    (unsigned long long)frac);
	}
	if (outlen > 0)
		util_strlcpy(out, tmp, outlen);
}

/* ---- CSV ---- */

enum { COL_PROVIDER, COL_PATTERN, COL_INPUT, COL_OUTPUT, COL_CACHED, COL_FROM, COL_SOURCE,
	NCOLS };

static const char *const col_name[NCOLS] = {
	"provider", "pattern", "input_per_mtok", "output_per_mtok", "cached_input_per_mtok",
	"effective_from", "source_date",
};

/* Valid UTF-8 without control characters: what a provider or pattern may hold. */
static int
text_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		size_t n, i;
		uint32_t cp;

		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf) {
			n = 2;
			cp = *p & 0x1f;
		} else if (*p >= 0xe0 && *p <= 0xef) {
			n = 3;
			cp = *p & 0x0f;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			n = 4;
			cp = *p & 0x07;
		} else
			return 0;
		for (i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n;
	}
	return 1;
}

/* "YYYY-MM-DD" exactly, a real calendar day; *ms its midnight UTC. */
static int
parse_date(const char *s, int64_t *ms)
{
	return strlen(s) == 10 && ts_parse_iso(s, ms) == 0 ? 0 : -1;
}

/*
 * Splits an RFC 4180 row into fields (quoted fields may hold commas and
 * doubled quotes, not line breaks). Returns the number of fields, or -1
 * for a quote problem, with *bad the field it is in. buf receives the
 * unquoted fields, NUL-separated; it is as large as the line, which is
 * always enough since unquoting only shortens.
 */
static int
split_row(const char *line, size_t len, char *buf, char **field, int maxf, int *bad)
{
	const char *p = line, *end = line + len;
	char *o = buf;
	int n = 0;

	for (;;) {
		if (n == maxf)
			return n + 1;   /* too many: the caller says so */
		field[n] = o;
		if (p < end && *p == '"') {
			for (p++;; p++) {
				if (p == end) {
					*bad = n;
					return -1;      /* unterminated */
				}
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"')
						p++;
					else
						break;
				}
				*o++ = *p;
			}
			p++;
			if (p < end && *p != ',') {
				*bad = n;
				return -1;      /* text after the closing quote */
			}
		} else {
			for (; p < end && *p != ','; p++) {
				if (*p == '"') {
					*bad = n;
					return -1;      /* a quote inside a bare field */
				}
				*o++ = *p;
			}
		}
		*o++ = '\0';
		n++;
		if (p == end)
			return n;
		p++;            /* the comma */
	}
}

static int fail(char *err, size_t errlen, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "column: problem" into err; returns -1. */
static int
fail(char *err, size_t errlen, int col, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s: %s", col_name[col], what);
	return -1;
}

int
price_csv_parse(const char *line, struct price *p, char *err, size_t errlen)
{
	char buf[PRICE_CSV_LINE_MAX], *f[NCOLS];
	int64_t *money[3];
	size_t len;
	int n, bad = 0;

	memset(p, 0, sizeof(*p));
	money[0] = &p->input_nusd;
	money[1] = &p->output_nusd;
	money[2] = &p->cached_nusd;
	if (line == NULL) {
		snprintf(err, errlen, "no line");
		return -1;
	}
	len = strlen(line);
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len >= sizeof(buf)) {
		snprintf(err, errlen, "line longer than %d bytes", PRICE_CSV_LINE_MAX - 1);
		return -1;
	}
	if (memchr(line, '\n', len) != NULL) {
		snprintf(err, errlen, "line break inside the line");
		return -1;
	}
	if (len == 0) {
		snprintf(err, errlen, "empty line");
		return -1;
	}
	n = split_row(line, len, buf, f, NCOLS, &bad);
	if (n < 0)
		return fail(err, errlen, bad, "badly quoted field");
	if (n > NCOLS) {
		snprintf(err, errlen, "more than %d columns", NCOLS);
		return -1;
	}
	if (n < NCOLS)
		return fail(err, errlen, n, "missing (expected %d columns)", NCOLS);

	if (strlen(f[COL_PROVIDER]) >= sizeof(p->provider))
		return fail(err, errlen, COL_PROVIDER, "longer than %zu bytes",
		    sizeof(p->provider) - 1);
	if (!text_ok(f[COL_PROVIDER]))
		return fail(err, errlen, COL_PROVIDER, "control character or invalid UTF-8");
	if (f[COL_PATTERN][0] == '\0')
		return fail(err, errlen, COL_PATTERN, "empty");
	if (strlen(f[COL_PATTERN]) >= sizeof(p->pattern))
		return fail(err, errlen, COL_PATTERN, "longer than %zu bytes",
		    sizeof(p->pattern) - 1);
	if (!text_ok(f[COL_PATTERN]))
		return fail(err, errlen, COL_PATTERN, "control character or invalid UTF-8");
	for (int i = 0; i < 3; i++)
		if (price_parse_usd(f[COL_INPUT + i], money[i]) != 0)
			return fail(err, errlen, COL_INPUT + i, "'%.60s' is not a decimal USD amount "
			    "(digits, at most 9 after the point)", f[COL_INPUT + i]);
	if (parse_date(f[COL_FROM], &p->effective_ms) != 0 &&
	    (strlen(f[COL_FROM]) <= 10 || ts_parse_iso(f[COL_FROM], &p->effective_ms) != 0))
		return fail(err, errlen, COL_FROM, "'%.40s' is not a date YYYY-MM-DD", f[COL_FROM]);
	if (f[COL_SOURCE][0] != '\0') {
		int64_t ignored;
		if (parse_date(f[COL_SOURCE], &ignored) != 0)
			return fail(err, errlen, COL_SOURCE, "'%.40s' is not a date YYYY-MM-DD",
			    f[COL_SOURCE]);
	}
	util_strlcpy(p->provider, f[COL_PROVIDER], sizeof(p->provider));
	util_strlcpy(p->pattern, f[COL_PATTERN], sizeof(p->pattern));
	util_strlcpy(p->source_date, f[COL_SOURCE], sizeof(p->source_date));
	return 0;
}

/* Appends s as one field, quoted when it must be; -1 when it does not fit. */
static int
put_field(char *out, size_t outlen, size_t *at, const char *s, int first)
{
	size_t len = strlen(s), need;
	int quote = strpbrk(s, ",\"") != NULL ||
	    (len > 0 && (s[0] == ' ' || s[len - 1] == ' '));

	need = (first ? 0 : 1) + len + (quote ? 2 : 0);
	if (quote)
		for (const char *q = s; (q = strchr(q, '"')) != NULL; q++)
			need++;
	if (*at + need + 1 > outlen)
		return -1;
	if (!first)
		out[(*at)++] = ',';
	if (quote)
		out[(*at)++] = '"';
	for (; *s != '\0'; s++) {
		if (*s == '"')
			out[(*at)++] = '"';
		out[(*at)++] = *s;
	}
	if (quote)
		out[(*at)++] = '"';
	out[*at] = '\0';
	return 0;
}

int
price_csv_format(const struct price *p, char *out, size_t outlen)
{
	char money[3][PRICE_USD_LEN], from[32];
	const char *field[NCOLS];
	size_t at = 0;

	if (outlen > 0)
		out[0] = '\0';
	if (p->input_nusd < 0 || p->output_nusd < 0 || p->cached_nusd < 0 ||
	    !text_ok(p->provider) || !text_ok(p->pattern) || p->pattern[0] == '\0' ||
	    !text_ok(p->source_date))
		return -1;
	price_format_usd(p->input_nusd, money[0], sizeof(money[0]));
	price_format_usd(p->output_nusd, money[1], sizeof(money[1]));
	price_format_usd(p->cached_nusd, money[2], sizeof(money[2]));
	ts_format_iso(p->effective_ms, from);
	if (p->effective_ms % MS_PER_DAY == 0)
		from[10] = '\0';        /* midnight UTC: the date alone */
	field[COL_PROVIDER] = p->provider;
	field[COL_PATTERN] = p->pattern;
	field[COL_INPUT] = money[0];
	field[COL_OUTPUT] = money[1];
	field[COL_CACHED] = money[2];
	field[COL_FROM] = from;
	field[COL_SOURCE] = p->source_date;
	for (int i = 0; i < NCOLS; i++)
		if (put_field(out, outlen, &at, field[i], i == 0) != 0)
			return -1;
	if (at + 2 > outlen)
		return -1;
	out[at++] = '\n';
	out[at] = '\0';
	return (int)at;
}
