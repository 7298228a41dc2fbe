/*
 * insights: the statistical insights of SPEC §5.3 (summary, trend,
 * anomaly). The rules work on plain numbers, so they are tested without a
 * database; insights_generate reads a project's rollups through the store,
 * applies them for a clock `now` and stores what it finds.
 * docs/insights.md states every rule and threshold; the constants below are
 * the ones it names.
 */
#ifndef TALLY_INSIGHTS_H
#define TALLY_INSIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct store;
struct insight;

#define INSIGHTS_HOUR_MS 3600000LL
#define INSIGHTS_DAY_MS 86400000LL

/* anomaly: the last 24 complete hours, each against the same hour of the 14 days before */
#define INSIGHTS_ANOMALY_HOURS 24
#define INSIGHTS_HISTORY_DAYS 14
#define INSIGHTS_BAND_MADS 4                    /* median ± 4 MAD (raw MAD, not × 1.4826) */
#define INSIGHTS_MIN_ACTIVE_DAYS 7              /* of the 14 days before, with the metric > 0 */
#define INSIGHTS_ANOMALY_MIN_EVENTS 10          /* |value − median| at least this … */
#define INSIGHTS_ANOMALY_MIN_COST_NUSD 50000000 /* … or $0.05 for the cost … */
#define INSIGHTS_ANOMALY_MIN_SHARE 0.10         /* … and at least 10 % of the median */

/* trend: the last 7 complete days against the 7 before */
#define INSIGHTS_TREND_PCT 20                   /* |change| ≥ 20 % */
#define INSIGHTS_TREND_MIN_EACH 10              /* both weeks ≥ 10 events or calls … */
#define INSIGHTS_TREND_MIN_LARGER 20            /* … or the larger ≥ 20 */
#define INSIGHTS_TREND_COST_MIN_EACH 10000000   /* cost: both ≥ $0.01 … */
#define INSIGHTS_TREND_COST_MIN_LARGER 20000000 /* … or the larger ≥ $0.02 */
#define INSIGHTS_TREND_MAX_PER_TYPE 50          /* per generation: events, features, models */

/* ---- statistics ---- */

/* The median of n ≥ 1 values (the mean of the middle two when n is even); v is sorted in place. */
double insights_median(double *v, size_t n);

/*
 * The median absolute deviation of v[0..n) from med, unscaled (no 1.4826
 * factor: SPEC §5.3 says "median ± 4 MAD"). scratch holds n values.
 */
double insights_mad(const double *v, size_t n, double med, double *scratch);

struct insights_band {
	double median, mad;
	double lower, upper;    /* median − 4·MAD, median + 4·MAD (lower may be negative) */
	double min_dev;         /* the smallest |value − median| reported */
};

/*
 * The robust band of n history values (1 ≤ n ≤ INSIGHTS_BAND_MAX_N) and
 * where value lies in it: 1 above, -1 below, 0 inside. Outside means
 * |value − median| > 4·MAD (the edges are inside) and |value − median| ≥
 * min_dev, where min_dev = max(min_abs, 10 % of the median): a flat history
 * (MAD 0) does not turn every small wobble into an anomaly. history is not
 * changed.
 */
#define INSIGHTS_BAND_MAX_N 64
int insights_band_check(const double *history, size_t n, double value, double min_abs,
    struct insights_band *b);

/*
 * Whether the metric has a history to compare with: at least
 * INSIGHTS_MIN_ACTIVE_DAYS of the ndays days before (day k = the 24
 * values series[at − 24k .. at − 24k + 23], k = 1..ndays) hold a value
 * above 0. A project that started last week has no usual hour yet.
 * series[at − 24·ndays .. at) must exist.
 */
int insights_history_active(const int64_t *series, size_t at, int ndays);

/* ---- changes ---- */

/* Percent change prev → cur: 0 and *pct, or 1 when prev is 0 (no ratio; *pct = 0). */
int insights_change_pct(int64_t prev, int64_t cur, double *pct);

/*
 * The trend rule: |cur − prev| ≥ 20 % of prev (exact integer test; prev 0
 * counts as a change), given enough volume: both ≥ min_each, or the
 * larger ≥ min_larger. 1 flagged, 0 not.
 */
int insights_trend_flag(int64_t prev, int64_t cur, int64_t min_each, int64_t min_larger);

/* ---- words ---- */

/* 1204 → "1,204"; -5 → "−5" (U+2212). */
void insights_fmt_count(int64_t n, char *out, size_t outlen);
/* A value with at most one decimal, thousands grouped: 6 → "6", 6.5 → "6.5", 1204.25 → "1,204.3". */
void insights_fmt_value(double v, char *out, size_t outlen);
/* USD: "$1.42", "$1,204.00"; under a cent "$0.0042"; under $0.0001 but not 0 "<$0.0001". */
void insights_fmt_usd(int64_t nusd, char *out, size_t outlen);
/* "+12 %", "−3 %" (U+2212), "±0 %", or "new" when prev is 0 and cur is not. Rounded to whole percent. */
void insights_fmt_change(int64_t prev, int64_t cur, char *out, size_t outlen);

struct insights_day {
	int64_t events, users, calls, cost_nusd;
};

/*
 * "2026-03-16: 1,204 events (+12 % vs the day before), 310 users (−3 %),
 * 88 LLM calls (+10 %), $1.42 LLM cost (+40 %)"; the LLM parts only when
 * either day had a call. day_ms: the day's 00:00 UTC.
 */
void insights_summary_title(int64_t day_ms, const struct insights_day *day,
    const struct insights_day *before, char *out, size_t outlen);

/* What a trend measures. */
enum insights_trend_type { TREND_COST, TREND_FEATURE, TREND_MODEL, TREND_EVENT, TREND__TYPES };

/*
 * 'Event "signup": 80 in the last 7 days, +60 % vs the 7 days before (50)';
 * features and models count LLM calls, the cost is in USD. name is unused
 * for TREND_COST.
 */
void insights_trend_title(int type, const char *name, int64_t prev, int64_t cur, char *out,
    size_t outlen);

enum insights_metric { METRIC_EVENTS, METRIC_COST };

/*
 * "Events spike: 60 in the hour from 14:00 UTC on 2026-03-16, against a
 * usual 6 (band 6 to 6)"; dir 1 spike, -1 drop. Cost values are nano-dollars.
 */
void insights_anomaly_title(int metric, int64_t hour_ms, double value, const struct insights_band *b,
    int dir, char *out, size_t outlen);

/* ---- generation ---- */

/* What one generation stored: rows with their ids, strings owned by pool. */
struct insights_run {
	struct insight *rows;
	size_t n, cap;
	struct strpool pool;
};

/*
 * Generates the insights of project_id for the clock now_ms (ms since the
 * epoch; a deterministic function of the stored rollups and now):
 *   summary  the UTC day before now's day against the day before it
 *   trend    the 7 UTC days before now's day against the 7 before them
 *   anomaly  each of the 24 complete hours before now's hour
 * and stores them (created_at = now) in one transaction that replaces what
 * an earlier generation stored for the same periods. 0 and *out filled
 * (free with insights_run_free), or -1 (store failure or out of memory;
 * nothing stored).
 */
int insights_generate(struct store *st, int64_t project_id, int64_t now_ms, struct insights_run *out);
/* NULL-safe; leaves *r empty. */
void insights_run_free(struct insights_run *r);

/* 1 when s is "summary", "trend" or "anomaly". */
int insights_kind_valid(const char *s);

#endif
