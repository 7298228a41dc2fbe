/*
 * insights: the rules of the SPEC §5.3 insights over plain numbers (robust
 * band, percent change, trend threshold) and the words of their titles.
 * Nothing here reads the store: insights_gen.c feeds these the rollups.
 * docs/insights.md is the prose version of this file.
 */
#include "insights.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timestamp.h"

#define MINUS "\xe2\x88\x92"    /* U+2212: titles are read, not parsed */
#define NAME_MAX_BYTES 100      /* an event, feature or model name in a title */

/* ---- statistics ---- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double
insights_median(double *v, size_t n)
{
	assert(n >= 1);
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

double
insights_mad(const double *v, size_t n, double med, double *scratch)
{
	for (size_t i = 0; i < n; i++)
		scratch[i] = fabs(v[i] - med);
	return insights_median(scratch, n);
}

int
insights_band_check(const double *history, size_t n, double value, double min_abs,
    struct insights_band *b)
{
	double sorted[INSIGHTS_BAND_MAX_N], scratch[INSIGHTS_BAND_MAX_N], dev;

	assert(n >= 1 && n <= INSIGHTS_BAND_MAX_N);
	memcpy(sorted, history, n * sizeof(*sorted));
	b->median = insights_median(sorted, n);
	b->mad = insights_mad(history, n, b->median, scratch);
	b->lower = b->median - INSIGHTS_BAND_MADS * b->mad;
	b->upper = b->median + INSIGHTS_BAND_MADS * b->mad;
	b->min_dev = fmax(min_abs, INSIGHTS_ANOMALY_MIN_SHARE * b->median);
	/* medians of integers are multiples of 1/2, MADs of 1/4: exact in a double */
	dev = value - b->median;
	if (fabs(dev) <= INSIGHTS_BAND_MADS * b->mad || fabs(dev) < b->min_dev)
		return 0;
	return dev > 0 ? 1 : -1;
}

int
insights_history_active(const int64_t *series, size_t at, int ndays)
{
	int active = 0;

	assert(at >= (size_t)ndays * 24);
	for (int k = 1; k <= ndays; k++) {
		const int64_t *day = series + at - (size_t)k * 24;
		for (int j = 0; j < 24; j++)
			if (day[j] > 0) {
				active++;
				break;
			}
	}
	return active >= INSIGHTS_MIN_ACTIVE_DAYS;
}

/* ---- changes ---- */

int
insights_change_pct(int64_t prev, int64_t cur, double *pct)
{
	*pct = 0;
	if (prev == 0)
		return 1;
	*pct = 100.0 * ((double)cur - (double)prev) / (double)prev;
	return 0;
}

int
insights_trend_flag(int64_t prev, int64_t cur, int64_t min_each, int64_t min_larger)
{
	int64_t larger = prev > cur ? prev : cur, smaller = prev > cur ? cur : prev;
	__int128 diff = (__int128)cur - prev;

	if (smaller < min_each && larger < min_larger)
		return 0;       /* too few to say anything */
	if (prev == 0)
		return cur != 0;
	if (diff < 0)
		diff = -diff;
	/* |cur − prev| / prev ≥ 20 %, in integers: no rounding at the edge */
	return diff * 100 >= (__int128)prev * INSIGHTS_TREND_PCT;
}

/* ---- words ---- */

/* mag with a comma every three digits, after sign. */
static void
group_digits(uint64_t mag, const char *sign, char *out, size_t outlen)
{
	char digits[32], grouped[48];
	size_t n, j = 0;

	n = (size_t)snprintf(digits, sizeof(digits), "%" PRIu64, mag);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			grouped[j++] = ',';
		grouped[j++] = digits[i];
	}
	grouped[j] = '\0';
	snprintf(out, outlen, "%s%s", sign, grouped);
}

void
insights_fmt_count(int64_t n, char *out, size_t outlen)
{
	group_digits(n < 0 ? 0 - (uint64_t)n : (uint64_t)n, n < 0 ? MINUS : "", out, outlen);
}

void
insights_fmt_value(double v, char *out, size_t outlen)
{
	long long tenths = llround(v * 10);
	uint64_t mag = tenths < 0 ? 0 - (uint64_t)tenths : (uint64_t)tenths;
	char whole[48];

	group_digits(mag / 10, tenths < 0 ? MINUS : "", whole, sizeof(whole));
	if (mag % 10)
		snprintf(out, outlen, "%s.%u", whole, (unsigned)(mag % 10));
	else
		snprintf(out, outlen, "%s", whole);
}

void
insights_fmt_usd(int64_t nusd, char *out, size_t outlen)
{
	uint64_t mag = nusd < 0 ? 0 - (uint64_t)nusd : (uint64_t)nusd;
	const char *sign = nusd < 0 ? MINUS : "";
	char whole[48];

	if (mag == 0) {
		snprintf(out, outlen, "$0.00");
	} else if (mag >= 9950000) {
		/* whole cents, half up: 9,950,000 nano-dollars is $0.01 */
		uint64_t cents = mag / 10000000 + (mag % 10000000 >= 5000000);
		group_digits(cents / 100, "", whole, sizeof(whole));
		snprintf(out, outlen, "%s$%s.%02u", sign, whole, (unsigned)(cents % 100));
	} else {
		/* under a cent: to $0.0001, half up */
		uint64_t units = mag / 100000 + (mag % 100000 >= 50000);
		if (units == 0)
			snprintf(out, outlen, "%s<$0.0001", sign);
		else
			snprintf(out, outlen, "%s$0.%04u", sign, (unsigned)units);
	}
}

void
insights_fmt_change(int64_t prev, int64_t cur, char *out, size_t outlen)
{
	char num[48];
	double pct;
	long long r;

	if (insights_change_pct(prev, cur, &pct) != 0) {
		snprintf(out, outlen, "%s", cur == 0 ? "\xc2\xb1" "0 %" : "new");
		return;
	}
	r = llround(pct);
	if (r == 0) {
		snprintf(out, outlen, "\xc2\xb1" "0 %%");    /* ± */
		return;
	}
	insights_fmt_count(r, num, sizeof(num));
	snprintf(out, outlen, "%s%s %%", r > 0 ? "+" : "", num);
}

static const char *
plural(int64_t n)
{
	return n == 1 ? "" : "s";
}

/* name, cut at a character boundary after NAME_MAX_BYTES bytes ("…" marks the cut). */
static void
clip_name(const char *name, char out[NAME_MAX_BYTES + 4])
{
	size_t i = 0, len = strlen(name);

	while (i < len) {
		size_t k = util_utf8_seq((const unsigned char *)name + i, len - i);
		if (k == 0 || i + k > NAME_MAX_BYTES)
			break;
		i += k;
	}
	memcpy(out, name, i);
	if (i < len)
		memcpy(out + i, "\xe2\x80\xa6", 3), i += 3;
	out[i] = '\0';
}

void
insights_summary_title(int64_t day_ms, const struct insights_day *day,
    const struct insights_day *before, char *out, size_t outlen)
{
	char date[32], ev[48], evc[48], us[48], usc[48], ca[48], cac[48], co[48], coc[48];
	int len;

	ts_format_iso(day_ms, date);
	date[10] = '\0';
	insights_fmt_count(day->events, ev, sizeof(ev));
	insights_fmt_change(before->events, day->events, evc, sizeof(evc));
	insights_fmt_count(day->users, us, sizeof(us));
	insights_fmt_change(before->users, day->users, usc, sizeof(usc));
	len = snprintf(out, outlen, "%s: %s event%s (%s vs the day before), %s user%s (%s)", date,
	    ev, plural(day->events), evc, us, plural(day->users), usc);
	if (len < 0 || (size_t)len >= outlen || (day->calls == 0 && before->calls == 0))
		return;
	insights_fmt_count(day->calls, ca, sizeof(ca));
	insights_fmt_change(before->calls, day->calls, cac, sizeof(cac));
	insights_fmt_usd(day->cost_nusd, co, sizeof(co));
	insights_fmt_change(before->cost_nusd, day->cost_nusd, coc, sizeof(coc));
	snprintf(out + len, outlen - (size_t)len, ", %s LLM call%s (%s), %s LLM cost (%s)", ca,
	    plural(day->calls), cac, co, coc);
}

void
insights_trend_title(int type, const char *name, int64_t prev, int64_t cur, char *out,
    size_t outlen)
{
	static const char *const what[TREND__TYPES] = { "LLM cost", "Feature", "Model", "Event" };
	char clipped[NAME_MAX_BYTES + 4], a[48], b[48], change[48], head[256], versus[160];

	assert(type >= 0 && type < TREND__TYPES);
	if (type == TREND_COST) {
		insights_fmt_usd(cur, a, sizeof(a));
		insights_fmt_usd(prev, b, sizeof(b));
		snprintf(head, sizeof(head), "LLM cost: %s", a);
	} else {
		clip_name(name, clipped);
		insights_fmt_count(cur, a, sizeof(a));
		insights_fmt_count(prev, b, sizeof(b));
		snprintf(head, sizeof(head), "%s \"%s\": %s%s", what[type], clipped, a,
		    type == TREND_EVENT ? "" : cur == 1 ? " LLM call" : " LLM calls");
	}
	if (prev == 0)
		snprintf(versus, sizeof(versus), "new (none the 7 days before)");
	else {
		insights_fmt_change(prev, cur, change, sizeof(change));
		snprintf(versus, sizeof(versus), "%s vs the 7 days before (%s)", change, b);
	}
	snprintf(out, outlen, "%s in the last 7 days, %s", head, versus);
}

/* A metric's value in words: a count (maybe a half, for a median) or USD. */
static void
metric_words(int metric, double v, char *out, size_t outlen)
{
	if (metric == METRIC_COST)
		insights_fmt_usd((int64_t)llround(v), out, outlen);
	else
		insights_fmt_value(v, out, outlen);
}

void
insights_anomaly_title(int metric, int64_t hour_ms, double value, const struct insights_band *b,
    int dir, char *out, size_t outlen)
{
	char iso[32], v[48], med[48], lo[48], hi[48];

	ts_format_iso(hour_ms, iso);
	iso[10] = '\0';         /* the date; iso + 11 the hour */
	metric_words(metric, value, v, sizeof(v));
	metric_words(metric, b->median, med, sizeof(med));
	metric_words(metric, b->lower > 0 ? b->lower : 0, lo, sizeof(lo));
	metric_words(metric, b->upper, hi, sizeof(hi));
	snprintf(out, outlen, "%s %s: %s in the hour from %.5s UTC on %s, against a usual %s (band %s to %s)",
	    metric == METRIC_COST ? "LLM cost" : "Events", dir > 0 ? "spike" : "drop", v, iso + 11, iso,
	    med, lo, hi);
}

int
insights_kind_valid(const char *s)
{
	return s != NULL && (strcmp(s, "summary") == 0 || strcmp(s, "trend") == 0 ||
	    strcmp(s, "anomaly") == 0);
}
