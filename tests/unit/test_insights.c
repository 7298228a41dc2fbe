/* test_insights: the insight rules over numbers (docs/insights.md): median, MAD, band, trend, words. */
#include <stdint.h>
#include <string.h>

#include "insights.h"
#include "tap.h"

#define MINUS "\xe2\x88\x92"
#define PLUSMINUS "\xc2\xb1"
#define DAY 86400000LL
#define HOUR 3600000LL
#define T0 1773619200000LL      /* 2026-03-16T00:00:00Z */

static void
test_median_mad(void)
{
	double odd[] = { 5, 1, 3 }, even[] = { 4, 1, 3, 2 }, one[] = { 7 }, scratch[8];
	double v[] = { 1, 2, 3, 4, 100 };

	ok(insights_median(odd, 3) == 3, "median of 3 values is the middle one");
	ok(insights_median(even, 4) == 2.5, "median of 4 values: the mean of the middle two");
	ok(insights_median(one, 1) == 7, "median of one value");
	/* |x − 3| = 2 1 0 1 97 → median 1: one outlier does not move it */
	ok(insights_mad(v, 5, 3, scratch) == 1, "MAD is unscaled and robust to one outlier");
	ok(v[4] == 100, "insights_mad leaves its input alone");
}

static void
test_band(void)
{
	double flat[14], noisy[14], zero[14], big[14];
	struct insights_band b;

	for (int i = 0; i < 14; i++) {
		flat[i] = 6;
		noisy[i] = 100 + (i % 2 ? 5 : -5);      /* 95, 105, …: median 100, MAD 5 */
		zero[i] = 0;
		big[i] = 1000;
	}
	is_int(insights_band_check(flat, 14, 6, 10, &b), 0, "flat history, the same value: inside");
	ok(b.median == 6 && b.mad == 0 && b.lower == 6 && b.upper == 6, "flat: median 6, MAD 0, band 6..6");
	is_int(insights_band_check(flat, 14, 7, 10, &b), 0, "MAD 0: one more than usual is no anomaly");
	is_int(insights_band_check(flat, 14, 15, 10, &b), 0, "MAD 0: 9 above stays under the 10 minimum");
	is_int(insights_band_check(flat, 14, 16, 10, &b), 1, "MAD 0: 10 above is an anomaly");
	is_int(insights_band_check(flat, 14, 60, 10, &b), 1, "a 10x hour is an anomaly");
	is_int(insights_band_check(noisy, 14, 120, 10, &b), 0, "median + 4 MAD exactly is inside the band");
	ok(b.median == 100 && b.mad == 5 && b.lower == 80 && b.upper == 120, "noisy: 100 ± 4 × 5");
	is_int(insights_band_check(noisy, 14, 121, 10, &b), 1, "just above median + 4 MAD: above");
	is_int(insights_band_check(noisy, 14, 79, 10, &b), -1, "just below median − 4 MAD: below");
	is_int(insights_band_check(noisy, 14, 0, 10, &b), -1, "an outage is a drop");
	is_int(insights_band_check(zero, 14, 0, 10, &b), 0, "nothing, as usual: inside");
	is_int(insights_band_check(zero, 14, 12, 10, &b), 1, "a quiet hour with 12 events: above");
	is_int(insights_band_check(big, 14, 1090, 10, &b), 0, "MAD 0 at 1000: 9 %% above is under 10 %% of the median");
	ok(b.min_dev == 100, "the minimum grows with the median (10 %%)");
	is_int(insights_band_check(big, 14, 1100, 10, &b), 1, "10 %% above a flat 1000: above");
	is_int(insights_band_check(flat, 14, 6 + 4.9e7, 5e7, &b), 0, "cost: under $0.05 away is no anomaly");
	ok(flat[0] == 6 && noisy[0] == 95, "the history is not reordered");
}

static void
test_history_active(void)
{
	int64_t s[15 * 24];

	memset(s, 0, sizeof(s));
	is_int(insights_history_active(s, 14 * 24, 14), 0, "no data at all: no history");
	for (int d = 0; d < 7; d++)
		s[d * 24 + 23] = 1;     /* the last hour of the 7 oldest days */
	is_int(insights_history_active(s, 14 * 24, 14), 1, "7 of 14 days with data: a history");
	s[6 * 24 + 23] = 0;
	is_int(insights_history_active(s, 14 * 24, 14), 0, "6 of 14 days: a project too new to judge");
	s[14 * 24] = 5;
	is_int(insights_history_active(s, 14 * 24, 14), 0, "the hour checked is not its own history");
}

static void
test_changes(void)
{
	char buf[64];
	double pct;

	is_int(insights_change_pct(0, 5, &pct), 1, "zero base: no ratio");
	ok(pct == 0, "zero base: pct 0, never infinity");
	is_int(insights_change_pct(50, 80, &pct), 0, "50 → 80 has a ratio");
	ok(pct == 60, "50 → 80 is +60 %%");
	insights_fmt_change(1075, 1204, buf, sizeof(buf));
	is_str(buf, "+12 %", "1075 → 1204");
	insights_fmt_change(320, 310, buf, sizeof(buf));
	is_str(buf, MINUS "3 %", "320 → 310 (a real minus sign)");
	insights_fmt_change(100, 100, buf, sizeof(buf));
	is_str(buf, PLUSMINUS "0 %", "no change");
	insights_fmt_change(1000, 1004, buf, sizeof(buf));
	is_str(buf, PLUSMINUS "0 %", "+0.4 %% rounds to no change");
	insights_fmt_change(0, 7, buf, sizeof(buf));
	is_str(buf, "new", "zero base: new");
	insights_fmt_change(0, 0, buf, sizeof(buf));
	is_str(buf, PLUSMINUS "0 %", "0 → 0: no change, no NaN");
	insights_fmt_change(1, 10001, buf, sizeof(buf));
	is_str(buf, "+1,000,000 %", "large changes are grouped");
	insights_fmt_change(10, 0, buf, sizeof(buf));
	is_str(buf, MINUS "100 %", "gone: −100 %%");
}

static void
test_trend_flag(void)
{
	is_int(insights_trend_flag(50, 80, 10, 20), 1, "50 → 80 (+60 %%): a trend");
	is_int(insights_trend_flag(50, 55, 10, 20), 0, "50 → 55 (+10 %%): none");
	is_int(insights_trend_flag(50, 60, 10, 20), 1, "+20 %% exactly: a trend");
	is_int(insights_trend_flag(50, 59, 10, 20), 0, "+18 %%: none");
	is_int(insights_trend_flag(100, 80, 10, 20), 1, "−20 %% exactly: a trend");
	is_int(insights_trend_flag(100, 81, 10, 20), 0, "−19 %%: none");
	is_int(insights_trend_flag(10, 12, 10, 20), 1, "both weeks ≥ 10: counted");
	is_int(insights_trend_flag(9, 15, 10, 20), 0, "9 → 15: one week under 10 and neither ≥ 20");
	is_int(insights_trend_flag(9, 20, 10, 20), 1, "9 → 20: the larger is ≥ 20");
	is_int(insights_trend_flag(0, 19, 10, 20), 0, "0 → 19: too few to be new");
	is_int(insights_trend_flag(0, 20, 10, 20), 1, "0 → 20: new");
	is_int(insights_trend_flag(20, 0, 10, 20), 1, "20 → 0: gone");
	is_int(insights_trend_flag(0, 0, 10, 20), 0, "nothing either week");
	is_int(insights_trend_flag(INT64_MAX / 2, INT64_MAX, 10, 20), 1, "no overflow near INT64_MAX");
	is_int(insights_trend_flag(10000000, 12000000, INSIGHTS_TREND_COST_MIN_EACH,
	    INSIGHTS_TREND_COST_MIN_LARGER), 1, "cost $0.01 → $0.012: a trend");
	is_int(insights_trend_flag(9000000, 19000000, INSIGHTS_TREND_COST_MIN_EACH,
	    INSIGHTS_TREND_COST_MIN_LARGER), 0, "cost $0.009 → $0.019: too little money");
}

static void
test_words(void)
{
	char buf[128];

	insights_fmt_count(0, buf, sizeof(buf));
	is_str(buf, "0", "0");
	insights_fmt_count(999, buf, sizeof(buf));
	is_str(buf, "999", "999");
	insights_fmt_count(1000, buf, sizeof(buf));
	is_str(buf, "1,000", "1,000");
	insights_fmt_count(1234567, buf, sizeof(buf));
	is_str(buf, "1,234,567", "1,234,567");
	insights_fmt_count(-5, buf, sizeof(buf));
	is_str(buf, MINUS "5", "−5");
	insights_fmt_value(6.5, buf, sizeof(buf));
	is_str(buf, "6.5", "a median of 6.5");
	insights_fmt_value(6, buf, sizeof(buf));
	is_str(buf, "6", "a whole median");
	insights_fmt_value(1204.25, buf, sizeof(buf));
	is_str(buf, "1,204.3", "one decimal, grouped");
	insights_fmt_usd(1420000000, buf, sizeof(buf));
	is_str(buf, "$1.42", "$1.42");
	insights_fmt_usd(1234500000000LL, buf, sizeof(buf));
	is_str(buf, "$1,234.50", "$1,234.50");
	insights_fmt_usd(0, buf, sizeof(buf));
	is_str(buf, "$0.00", "$0.00");
	insights_fmt_usd(4200000, buf, sizeof(buf));
	is_str(buf, "$0.0042", "under a cent: four decimals");
	insights_fmt_usd(9950000, buf, sizeof(buf));
	is_str(buf, "$0.01", "$0.00995 rounds to a cent");
	insights_fmt_usd(10, buf, sizeof(buf));
	is_str(buf, "<$0.0001", "a few nano-dollars");
	insights_fmt_usd(5000000, buf, sizeof(buf));
	is_str(buf, "$0.0050", "half a cent");
}

static void
test_titles(void)
{
	struct insights_day day = { 1204, 310, 88, 1420000000 }, before = { 1075, 320, 80, 1014285714 };
	struct insights_day lone = { 1, 1, 0, 0 }, none = { 0, 0, 0, 0 };
	struct insights_band b = { 6, 0, 6, 6, 10 }, cb = { 20000000, 0, 20000000, 20000000, 50000000 };
	char buf[512];

	insights_summary_title(T0, &day, &before, buf, sizeof(buf));
	is_str(buf, "2026-03-16: 1,204 events (+12 % vs the day before), 310 users (" MINUS "3 %), "
	    "88 LLM calls (+10 %), $1.42 LLM cost (+40 %)", "summary title");
	insights_summary_title(T0, &lone, &none, buf, sizeof(buf));
	is_str(buf, "2026-03-16: 1 event (new vs the day before), 1 user (new)",
	    "summary without LLM calls, singular");
	insights_trend_title(TREND_EVENT, "signup", 50, 80, buf, sizeof(buf));
	is_str(buf, "Event \"signup\": 80 in the last 7 days, +60 % vs the 7 days before (50)", "event trend");
	insights_trend_title(TREND_FEATURE, "chat", 20, 30, buf, sizeof(buf));
	is_str(buf, "Feature \"chat\": 30 LLM calls in the last 7 days, +50 % vs the 7 days before (20)",
	    "feature trend");
	insights_trend_title(TREND_MODEL, "m-1", 20, 0, buf, sizeof(buf));
	is_str(buf, "Model \"m-1\": 0 LLM calls in the last 7 days, " MINUS "100 % vs the 7 days before (20)",
	    "model trend, gone");
	insights_trend_title(TREND_COST, NULL, 400000000, 520000000, buf, sizeof(buf));
	is_str(buf, "LLM cost: $0.52 in the last 7 days, +30 % vs the 7 days before ($0.40)", "cost trend");
	insights_trend_title(TREND_EVENT, "beta", 0, 25, buf, sizeof(buf));
	is_str(buf, "Event \"beta\": 25 in the last 7 days, new (none the 7 days before)", "new event");
	{
		char name[300];
		memset(name, 'x', sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		insights_trend_title(TREND_EVENT, name, 50, 80, buf, sizeof(buf));
		ok(strstr(buf, "xxx\xe2\x80\xa6\": 80") != NULL && strlen(buf) < 200, "a long name is cut with …");
	}
	insights_anomaly_title(METRIC_EVENTS, T0 + 14 * HOUR, 60, &b, 1, buf, sizeof(buf));
	is_str(buf, "Events spike: 60 in the hour from 14:00 UTC on 2026-03-16, against a usual 6 (band 6 to 6)",
	    "anomaly title");
	insights_anomaly_title(METRIC_COST, T0 + 3 * HOUR, 200000000, &cb, 1, buf, sizeof(buf));
	is_str(buf, "LLM cost spike: $0.20 in the hour from 03:00 UTC on 2026-03-16, against a usual $0.02 "
	    "(band $0.02 to $0.02)", "cost anomaly title");
	b = (struct insights_band){ 100, 5, 80, 120, 10 };
	insights_anomaly_title(METRIC_EVENTS, T0, 0, &b, -1, buf, sizeof(buf));
	is_str(buf, "Events drop: 0 in the hour from 00:00 UTC on 2026-03-16, against a usual 100 (band 80 to 120)",
	    "drop title");
	ok(insights_kind_valid("summary") && insights_kind_valid("trend") && insights_kind_valid("anomaly"),
	    "the three kinds");
	ok(!insights_kind_valid("Summary") && !insights_kind_valid("") && !insights_kind_valid(NULL) &&
	    !insights_kind_valid("trend'--"), "anything else is not a kind");
}

int
main(void)
{
	test_median_mad();
	test_band();
	test_history_active();
	test_changes();
	test_trend_flag();
	test_words();
	test_titles();
	return tap_done();
}
