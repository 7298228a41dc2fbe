/* test_funnel: the funnel rules of docs/funnels.md, boundary by boundary. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "funnel.h"
#include "tap.h"

#define MIN 60000LL
#define HOUR 3600000LL
#define DAY 86400000LL

static int
close_to(double got, double want)
{
	return fabs(got - want) < 1e-12;
}

static void
add(struct funnel *f, size_t name, int64_t ts, const char *user)
{
	int rc = funnel_add(f, name, ts, user, strlen(user));
	if (rc != 0)
		tap_diag("funnel_add(%zu, %lld, %s) = %d", name, (long long)ts, user, rc);
}

static void
test_window(void)
{
	static const struct {
		const char *s;
		int64_t ms;             /* -1: refused */
	} cases[] = {
		{ "30m", 30 * MIN }, { "2h", 2 * HOUR }, { "1d", DAY }, { "7d", 7 * DAY },
		{ "45s", 45000 }, { "3600", HOUR }, { "1", 1000 }, { "2w", 14 * DAY },
		{ "90d", 90 * DAY }, { "12w", 84 * DAY }, { "2160h", 90 * DAY }, { "7776000", 90 * DAY },
		{ "007d", 7 * DAY },
		{ "91d", -1 }, { "13w", -1 }, { "7776001", -1 }, { "2161h", -1 }, { "0", -1 }, { "0d", -1 },
		{ "", -1 }, { "d", -1 }, { "-1d", -1 }, { "+1d", -1 }, { "1.5h", -1 }, { "1x", -1 },
		{ " 1d", -1 }, { "1d ", -1 }, { "1dd", -1 }, { "1D", -1 }, { "99999999999999999999d", -1 },
		{ "9223372036854775807", -1 }, { "1e3", -1 }, { "0x10", -1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t ms = 12345;
		int rc = funnel_window_parse(cases[i].s, &ms);
		if (cases[i].ms < 0)
			ok(rc == -1 && ms == 12345, "window '%s' refused, output untouched", cases[i].s);
		else
			ok(rc == 0 && ms == cases[i].ms, "window '%s' = %lld ms", cases[i].s, (long long)cases[i].ms);
	}
	ok(funnel_window_parse(NULL, &(int64_t){ 0 }) == -1, "window NULL refused");
}

static void
test_steps(void)
{
	const char *two[] = { "a", "b" }, *one[] = { "a" }, *eleven[11], *ten[10];
	const char *empty[] = { "a", "" }, *bad[] = { "a", "\xff" }, *overlong[] = { "\xc0\xaf", "b" };
	const char *repeat[] = { "a", "b", "a" };
	char long200[201], long201[202], wide200[401], err[128];

	for (size_t i = 0; i < 11; i++)
		eleven[i] = "x";
	for (size_t i = 0; i < 10; i++)
		ten[i] = "x";
	memset(long200, 'n', 200);
	long200[200] = '\0';
	memset(long201, 'n', 201);
	long201[201] = '\0';
	for (size_t i = 0; i < 200; i++)
		memcpy(wide200 + 2 * i, "\xc3\xa9", 2);      /* é: 200 characters, 400 bytes */
	wide200[400] = '\0';

	ok(funnel_steps_check(two, 2, err, sizeof(err)) == 0, "two steps");
	ok(funnel_steps_check(ten, 10, err, sizeof(err)) == 0, "ten steps");
	ok(funnel_steps_check(repeat, 3, err, sizeof(err)) == 0, "a name may repeat");
	ok(funnel_steps_check(one, 1, err, sizeof(err)) == -1, "one step refused");
	is_str(err, "a funnel has 2 to 10 steps; 1 given", "its message");
	ok(funnel_steps_check(eleven, 11, err, sizeof(err)) == -1, "eleven steps refused");
	ok(funnel_steps_check(NULL, 0, err, sizeof(err)) == -1, "no steps refused");
	ok(funnel_steps_check(empty, 2, err, sizeof(err)) == -1, "an empty step refused");
	is_str(err, "step 2 is empty", "its message names the step");
	ok(funnel_steps_check(bad, 2, err, sizeof(err)) == -1, "invalid UTF-8 refused");
	is_str(err, "step 2 is not valid UTF-8", "its message");
	ok(funnel_steps_check(overlong, 2, err, sizeof(err)) == -1, "an overlong encoding refused");
	ok(funnel_steps_check((const char *[]){ "a", long200 }, 2, err, sizeof(err)) == 0, "200 characters");
	ok(funnel_steps_check((const char *[]){ "a", wide200 }, 2, err, sizeof(err)) == 0,
	    "200 two-byte characters");
	ok(funnel_steps_check((const char *[]){ long201, "b" }, 2, err, sizeof(err)) == -1, "201 refused");
	is_str(err, "step 1 is longer than 200 characters", "its message");
}

/* Runs steps over [from, to) with window; rows are (name, ts, user). */
struct row {
	size_t name;
	int64_t ts;
	const char *user;
};

static int
run(const char *const *steps, size_t nsteps, int64_t from, int64_t to, int64_t window,
    const struct row *rows, size_t nrows, struct funnel_step *out)
{
	struct funnel *f = funnel_new(steps, nsteps, from, to, window, FUNNEL_MAX_ROWS);
	int rc;
	if (f == NULL)
		return -1;
	for (size_t i = 0; i < nrows; i++)
		add(f, rows[i].name, rows[i].ts, rows[i].user);
	rc = funnel_result(f, out);
	funnel_free(f);
	return rc;
}

static void
test_paths(void)
{
	const char *abc[] = { "a", "b", "c" };
	struct funnel_step out[FUNNEL_MAX_STEPS];
	const int64_t T = 1000 * DAY;           /* the range is [T, T + 10 d) */

	{
		/* u1 a→b→c; u2 a→b; u3 a; u4 b before a (b does not count); u5 only b, c */
		const struct row rows[] = {
			{ 0, T + 0, "u1" }, { 0, T + 1000, "u2" }, { 0, T + 2000, "u3" }, { 0, T + 5000, "u4" },
			{ 1, T + 10 * MIN, "u1" }, { 1, T + 20 * MIN, "u2" }, { 1, T + 4000, "u4" },
			{ 1, T + 100, "u5" },
			{ 2, T + 30 * MIN, "u1" }, { 2, T + 200, "u5" }, { 2, T + 6000, "u4" },
		};
		ok(run(abc, 3, T, T + 10 * DAY, DAY, rows, sizeof(rows) / sizeof(rows[0]), out) == 0, "clean funnel");
		is_int(out[0].users, 4, "four entered (u5 never did a)");
		is_int(out[1].users, 2, "two reached b (u4's b came before its a)");
		is_int(out[2].users, 1, "one reached c");
		ok(close_to(out[0].conversion, 1.0) && close_to(out[0].step_conversion, 1.0), "step 1: 1, 1");
		ok(close_to(out[1].conversion, 0.5) && close_to(out[1].step_conversion, 0.5), "step 2: 1/2, 1/2");
		ok(close_to(out[2].conversion, 0.25) && close_to(out[2].step_conversion, 0.5), "step 3: 1/4, 1/2");
		is_int(out[0].median_ms, -1, "no time to reach step 1");
		/* u1: 10 min, u2: 20 min - 1 s: mean of the two middles, rounded down */
		is_int(out[1].median_ms, (10 * MIN + 20 * MIN - 1000) / 2, "median of two: the mean");
		is_int(out[2].median_ms, 30 * MIN, "median of one");
	}
	{
		/* the window's edge: at entry + window counts, 1 ms later does not */
		const struct row rows[] = {
			{ 0, T, "edge" }, { 1, T + HOUR, "edge" },
			{ 0, T, "late" }, { 1, T + HOUR + 1, "late" },
			{ 0, T, "c-edge" }, { 1, T + 1, "c-edge" }, { 2, T + HOUR, "c-edge" },
			{ 0, T, "c-late" }, { 1, T + 1, "c-late" }, { 2, T + HOUR + 1, "c-late" },
		};
		run(abc, 3, T, T + DAY, HOUR, rows, sizeof(rows) / sizeof(rows[0]), out);
		is_int(out[1].users, 3, "b exactly at the window's end counts, 1 ms after does not");
		is_int(out[2].users, 1, "the window runs from the entry, not from the previous step");
	}
	{
		/* strictly after: the same millisecond does not follow */
		const struct row rows[] = {
			{ 0, T + 5, "same" }, { 1, T + 5, "same" },
			{ 0, T + 5, "next" }, { 1, T + 6, "next" },
		};
		run(abc, 2, T, T + DAY, HOUR, rows, 4, out);
		is_int(out[0].users, 2, "both entered");
		is_int(out[1].users, 1, "b in the same ms as a does not count");
	}
	{
		/* repeats of step 1: the earliest entry from which the user gets furthest */
		const struct row rows[] = {
			/* r1: from a@0 b is too late (window 100 s); from a@50 s it completes */
			{ 0, T, "r1" }, { 0, T + 50000, "r1" }, { 1, T + 120000, "r1" }, { 2, T + 130000, "r1" },
			/* r2: both entries reach b; the earliest one is kept: 10 s */
			{ 0, T, "r2" }, { 1, T + 10000, "r2" }, { 0, T + 20000, "r2" }, { 1, T + 25000, "r2" },
		};
		run(abc, 3, T, T + DAY, 100000, rows, sizeof(rows) / sizeof(rows[0]), out);
		is_int(out[0].users, 2, "each user counts once");
		is_int(out[1].users, 2, "both reach b");
		is_int(out[2].users, 1, "r1 completes from its second entry");
		is_int(out[2].median_ms, 80000, "r1's time runs from that entry");
		/* b: r1 70 s (from the second entry), r2 10 s (earliest entry) */
		is_int(out[1].median_ms, 40000, "r2 keeps its first entry");
	}
	{
		/* entries only inside [from, to); later steps may fall after to */
		const struct row rows[] = {
			{ 0, T - 1, "before" }, { 1, T + 10, "before" },
			{ 0, T + DAY, "at-to" }, { 1, T + DAY + 10, "at-to" },
			{ 0, T + DAY - 1, "last" }, { 1, T + DAY + HOUR - 1, "last" },
			{ 0, T, "first" }, { 1, T + 1, "first" },
		};
		run(abc, 2, T, T + DAY, HOUR, rows, sizeof(rows) / sizeof(rows[0]), out);
		is_int(out[0].users, 2, "an a before from or at to is no entry");
		is_int(out[1].users, 2, "a b after to, inside the window, counts");
	}
	{
		/* a → b → a: the second a must follow b */
		const char *aba[] = { "a", "b", "a" };
		const struct row rows[] = {
			{ 0, T, "x" }, { 1, T + 10, "x" }, { 0, T + 20, "x" },
			{ 0, T, "y" }, { 0, T + 5, "y" }, { 1, T + 10, "y" },
		};
		run(aba, 3, T, T + DAY, HOUR, rows, sizeof(rows) / sizeof(rows[0]), out);
		is_int(out[2].users, 1, "a repeated step needs a later event of its name");
	}
	{
		/* nobody entered: zeros everywhere, no division by zero */
		const struct row rows[] = { { 1, T, "u" }, { 2, T + 1, "u" } };
		run(abc, 3, T, T + DAY, HOUR, rows, 2, out);
		for (int k = 0; k < 3; k++)
			ok(out[k].users == 0 && out[k].conversion == 0.0 && out[k].step_conversion == 0.0 &&
			    out[k].median_ms == -1, "empty funnel step %d: zeros", k + 1);
		run(abc, 3, T, T + DAY, HOUR, NULL, 0, out);
		ok(out[0].users == 0 && out[2].conversion == 0.0, "no events at all: zeros");
	}
	{
		/* nobody past step 2: step 3's step_conversion is 0, not NaN */
		const struct row rows[] = { { 0, T, "u" } };
		run(abc, 3, T, T + DAY, HOUR, rows, 1, out);
		ok(out[0].users == 1 && out[1].users == 0 && out[2].step_conversion == 0.0, "0 / 0 is 0");
	}
}

/* Rows in any order give the answer of rows name by name in time order. */
static void
test_order(void)
{
	const char *abc[] = { "a", "b", "c" };
	struct funnel_step sorted[3], shuffled[3];
	const int64_t T = 1000 * DAY;
	enum { N = 3000 };
	struct row *rows = calloc(N, sizeof(*rows));
	char (*names)[16] = calloc(N, 16);
	uint32_t seed = 7;

	for (size_t i = 0; i < N; i++) {
		seed = seed * 1103515245 + 12345;
		snprintf(names[i], 16, "user%u", (seed >> 8) % 700);
		rows[i].user = names[i];
		rows[i].name = (seed >> 4) % 3;
		rows[i].ts = T + (int64_t)((seed >> 12) % 50000) * 1000;
	}
	run(abc, 3, T, T + 20 * HOUR, 2 * HOUR, rows, N, shuffled);
	/* name by name, then by time */
	for (size_t i = 1; i < N; i++)
		for (size_t j = i; j > 0 && (rows[j - 1].name > rows[j].name ||
		    (rows[j - 1].name == rows[j].name && rows[j - 1].ts > rows[j].ts)); j--) {
			struct row t = rows[j];
			rows[j] = rows[j - 1];
			rows[j - 1] = t;
		}
	run(abc, 3, T, T + 20 * HOUR, 2 * HOUR, rows, N, sorted);
	for (int k = 0; k < 3; k++)
		ok(sorted[k].users == shuffled[k].users && sorted[k].median_ms == shuffled[k].median_ms,
		    "step %d: the same in any order (%lld users)", k + 1, (long long)sorted[k].users);
	ok(sorted[0].users > 400 && sorted[2].users > 0, "the random funnel has entries and completions");
	free(rows);
	free(names);
}

static void
test_misuse(void)
{
	const char *ab[] = { "a", "b" };
	struct funnel_step out[2];
	struct funnel *f = funnel_new(ab, 2, 0, 100, 10, 3);
	const char *const *names;
	int64_t from, to;

	ok(funnel_names(f, &names, &from, &to) == 2 && from == 0 && to == 110, "reads [from, to + window)");
	ok(funnel_add(f, 0, 1, "u", 1) == 0, "row 1");
	ok(funnel_add(f, 1, 2, "", 0) == 0, "an empty user key is a key");
	ok(funnel_add(f, 2, 2, "u", 1) == -1, "a name index out of range");
	ok(funnel_add(f, 0, 3, NULL, 0) == -1, "no user key");
	ok(funnel_add(f, 1, 3, "u", 1) == 0, "row 3");
	ok(funnel_add(f, 1, 4, "u", 1) == 1, "beyond max_rows: 1");
	ok(funnel_result(f, out) == 0 && out[0].users == 1 && out[1].users == 1, "the rows held");
	ok(funnel_result(f, out) == -1, "a second result is refused");
	ok(funnel_add(f, 0, 5, "u", 1) == -1, "and so is a row after it");
	funnel_free(f);
	funnel_free(NULL);

	f = funnel_new((const char *[]){ "a", "b", "a", "c", "b" }, 5, 0, 100, 10, 10);
	ok(funnel_names(f, &names, &from, &to) == 3 && strcmp(names[0], "a") == 0 &&
	    strcmp(names[1], "b") == 0 && strcmp(names[2], "c") == 0, "distinct names, first use order");
	funnel_free(f);
}

/* ---- the breakdown ---- */

/* The group whose value is v (NULL: the folded rest), or NULL. */
static const struct funnel_group *
group_of(const struct funnel_group *g, size_t n, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (v == NULL ? g[i].value == NULL :
		    g[i].value != NULL && g[i].len == strlen(v) && memcmp(g[i].value, v, g[i].len) == 0)
			return &g[i];
	return NULL;
}

/* Each step's count over the groups equals the overall one. */
static int
groups_add_up(const struct funnel_group *g, size_t n, const struct funnel_step *all, size_t nsteps)
{
	for (size_t k = 0; k < nsteps; k++) {
		int64_t sum = 0;
		for (size_t i = 0; i < n; i++)
			sum += g[i].steps[k].users;
		if (sum != all[k].users)
			return 0;
	}
	return 1;
}

static int
steps_are(const struct funnel_step *s, int64_t c1, int64_t c2, int64_t c3, int64_t m2, int64_t m3)
{
	int good = s[0].users == c1 && s[1].users == c2 && s[2].users == c3 &&
	    s[0].median_ms == -1 && s[1].median_ms == m2 && s[2].median_ms == m3 &&
	    close_to(s[0].conversion, c1 ? 1.0 : 0.0) &&
	    close_to(s[1].conversion, c1 ? (double)c2 / c1 : 0.0) &&
	    close_to(s[2].conversion, c1 ? (double)c3 / c1 : 0.0) &&
	    close_to(s[1].step_conversion, c1 ? (double)c2 / c1 : 0.0) &&
	    close_to(s[2].step_conversion, c2 ? (double)c3 / c2 : 0.0);
	if (!good)
		tap_diag("got %lld %lld %lld, medians %lld %lld", (long long)s[0].users,
		    (long long)s[1].users, (long long)s[2].users, (long long)s[1].median_ms,
		    (long long)s[2].median_ms);
	return good;
}

/*
 * A funnel a → b → c over [T, T + 1 d), window 1 h, keys kept, with each
 * user's value from a table (NULL: FUNNEL_NONE given; "-": never given).
 */
static const int64_t BT = 1000 * DAY;
static const struct row bd_rows[] = {
	/* the later steps first: users may be seen before their step-1 event */
	{ 1, BT + 10 * MIN, "p1" }, { 2, BT + 20 * MIN, "p1" }, { 1, BT + 30 * MIN, "p2" },
	{ 1, BT + 5 * MIN, "t1" }, { 2, BT + 40 * MIN, "t1" }, { 1, BT + MIN, "n1" },
	{ 1, BT + 2 * HOUR + MIN, "r" }, { 1, BT + 5 * MIN, "late" },
	{ 0, BT, "p1" }, { 0, BT + 1000, "p2" }, { 0, BT + 2000, "p3" }, { 0, BT, "t1" },
	{ 0, BT, "t2" }, { 0, BT + 3000, "f1" }, { 0, BT, "n1" }, { 0, BT, "n2" },
	/* r: from a@T nothing follows within 1 h; from a@T + 2 h, b does */
	{ 0, BT, "r" }, { 0, BT + 2 * HOUR, "r" },
	/* late: its a is after `to`, no entry */
	{ 0, BT + DAY, "late" },
};
static const struct {
	const char *user, *value;
} bd_values[] = {
	{ "p1", "pro" }, { "p2", "pro" }, { "p3", "pro" }, { "t1", "team" }, { "t2", "team" },
	{ "f1", "free" }, { "r", "free" }, { "n1", "-" }, { "n2", NULL },
};

static struct funnel *
bd_funnel(struct funnel_step *all)
{
	const char *abc[] = { "a", "b", "c" };
	struct funnel *f = funnel_new(abc, 3, BT, BT + DAY, HOUR, FUNNEL_MAX_ROWS);

	if (f == NULL || funnel_keep_keys(f) != 0)
		return f;
	for (size_t i = 0; i < sizeof(bd_rows) / sizeof(bd_rows[0]); i++)
		add(f, bd_rows[i].name, bd_rows[i].ts, bd_rows[i].user);
	if (funnel_result(f, all) != 0)
		tap_diag("funnel_result failed");
	for (size_t i = 0; i < funnel_entrants(f); i++) {
		const char *key;
		size_t len;
		int64_t entry;
		funnel_entrant(f, i, &key, &len, &entry);
		for (size_t j = 0; j < sizeof(bd_values) / sizeof(bd_values[0]); j++)
			if (strlen(bd_values[j].user) == len && memcmp(key, bd_values[j].user, len) == 0 &&
			    (bd_values[j].value == NULL || strcmp(bd_values[j].value, "-") != 0))
				funnel_group(f, i, bd_values[j].value,
				    bd_values[j].value ? strlen(bd_values[j].value) : 0);
	}
	return f;
}

static void
test_breakdown(void)
{
	struct funnel_step all[3];
	struct funnel_group *g = NULL;
	const struct funnel_group *x;
	struct funnel *f = bd_funnel(all);
	size_t n = 0, seen = 0;

	ok(steps_are(all, 9, 5, 2, 5 * MIN, 30 * MIN), "overall: 9 → 5 → 2 (r enters once)");
	is_int((int64_t)funnel_entrants(f), 9, "nine users counted");
	for (size_t i = 0; i < funnel_entrants(f); i++) {
		const char *key;
		size_t len;
		int64_t entry;
		ok(funnel_entrant(f, i, &key, &len, &entry) == 0, "entrant %zu", i);
		if (len == 1 && key[0] == 'r') {
			is_int(entry, BT + 2 * HOUR, "r's entry is the one its path starts from");
			seen++;
		}
		if (len == 2 && memcmp(key, "p2", 2) == 0) {
			is_int(entry, BT + 1000, "p2's entry time");
			seen++;
		}
	}
	is_int((int64_t)seen, 2, "keys kept for users first seen at a later step");

	ok(funnel_breakdown(f, 10, &g, &n) == 0, "breakdown, limit 10");
	is_int((int64_t)n, 4, "four values, nothing folded");
	/* pro 3, then the ties of 2 by value: "(none)" < "free" < "team" */
	ok(n == 4 && g[0].len == 3 && memcmp(g[0].value, "pro", 3) == 0 &&
	    group_of(g, n, FUNNEL_NONE) == &g[1] && group_of(g, n, "free") == &g[2] &&
	    group_of(g, n, "team") == &g[3], "by step-1 count, then by value");
	ok((x = group_of(g, n, "pro")) && steps_are(x->steps, 3, 2, 1, (10 * MIN + 30 * MIN - 1000) / 2, 20 * MIN),
	    "pro: 3 → 2 → 1, medians over its own users");
	ok((x = group_of(g, n, "team")) && steps_are(x->steps, 2, 1, 1, 5 * MIN, 40 * MIN), "team");
	ok((x = group_of(g, n, "free")) && steps_are(x->steps, 2, 1, 0, MIN, -1),
	    "free: r's time runs from its second entry; nobody at c: no median");
	ok((x = group_of(g, n, FUNNEL_NONE)) && steps_are(x->steps, 2, 1, 0, MIN, -1),
	    "(none): a NULL value and a user never given one");
	ok(groups_add_up(g, n, all, 3), "the groups add up to the overall counts");
	for (size_t i = 0; i < n; i++)
		ok(g[i].folded == 0 && g[i].value != NULL, "group %zu is a value", i);
	free(g);

	ok(funnel_breakdown(f, 2, &g, &n) == 0 && n == 3, "limit 2: two values and the rest");
	ok(group_of(g, n, "pro") == &g[0] && group_of(g, n, FUNNEL_NONE) == &g[1], "the two largest");
	ok((x = group_of(g, n, NULL)) == &g[2] && x->folded == 2, "the rest holds free and team");
	ok(x && steps_are(x->steps, 4, 2, 1, -1, -1), "its counts are sums, conversions from them, no median");
	ok(x && close_to(x->steps[1].conversion, 0.5) && close_to(x->steps[2].step_conversion, 0.5),
	    "the rest: 2/4, then 1/2");
	ok(groups_add_up(g, n, all, 3), "limit 2: the groups add up");
	free(g);

	ok(funnel_breakdown(f, 1, &g, &n) == 0 && n == 2, "limit 1");
	ok(n == 2 && steps_are(g[1].steps, 6, 3, 1, -1, -1) && g[1].folded == 3, "the rest of three values");
	ok(groups_add_up(g, n, all, 3), "limit 1: the groups add up");
	free(g);

	ok(funnel_breakdown(f, 4, &g, &n) == 0 && n == 4 && group_of(g, n, NULL) == NULL,
	    "limit = the number of values: no rest");
	free(g);

	/* a user given another value leaves the first one: a value nobody holds is no group */
	for (size_t i = 0; i < funnel_entrants(f); i++) {
		const char *key;
		size_t len;
		int64_t entry;
		funnel_entrant(f, i, &key, &len, &entry);
		if (len == 2 && memcmp(key, "f1", 2) == 0)
			funnel_group(f, i, "zzz", 3);
		if (len == 1 && key[0] == 'r')
			funnel_group(f, i, "", 0);
	}
	ok(funnel_breakdown(f, 10, &g, &n) == 0 && n == 5 && group_of(g, n, "free") == NULL,
	    "free emptied: gone");
	ok(group_of(g, n, "") == &g[3] && group_of(g, n, "zzz") == &g[4] && g[3].len == 0,
	    "an empty value is a value; ties by bytes, shorter first");
	ok(groups_add_up(g, n, all, 3), "they still add up");
	free(g);
	funnel_free(f);
}

/* Any data, any limit: the groups add up; each group is the funnel of its users alone. */
static void
test_breakdown_random(void)
{
	const char *abc[] = { "a", "b", "c" };
	const int64_t T = 1000 * DAY;
	enum { N = 5000, USERS = 900, VALUES = 13 };
	struct row *rows = calloc(N, sizeof(*rows));
	char (*names)[16] = calloc(N, 16);
	struct funnel_step all[3], alone[3];
	struct funnel *f = funnel_new(abc, 3, T, T + 20 * HOUR, 2 * HOUR, FUNNEL_MAX_ROWS);
	uint32_t seed = 11;
	int sums = 1, sorted = 1, same = 1;

	funnel_keep_keys(f);
	for (size_t i = 0; i < N; i++) {
		seed = seed * 1103515245 + 12345;
		snprintf(names[i], 16, "user%u", (seed >> 8) % USERS);
		rows[i].user = names[i];
		rows[i].name = (seed >> 4) % 3;
		rows[i].ts = T + (int64_t)((seed >> 12) % 60000) * 1000;
		add(f, rows[i].name, rows[i].ts, rows[i].user);
	}
	funnel_result(f, all);
	/* the value: the user's number mod VALUES, "v0" standing for none */
	for (size_t i = 0; i < funnel_entrants(f); i++) {
		const char *key;
		size_t len;
		int64_t entry;
		char v[8];
		unsigned u;
		funnel_entrant(f, i, &key, &len, &entry);
		sscanf(key, "user%u", &u);
		snprintf(v, sizeof(v), "v%u", u % VALUES);
		funnel_group(f, i, u % VALUES ? v : NULL, u % VALUES ? strlen(v) : 0);
	}
	for (size_t limit = 1; limit <= VALUES + 1; limit++) {
		struct funnel_group *g;
		size_t n;
		if (funnel_breakdown(f, limit, &g, &n) != 0) {
			sums = 0;
			continue;
		}
		if (n != (limit < VALUES ? limit + 1 : VALUES) || !groups_add_up(g, n, all, 3))
			sums = 0;
		for (size_t i = 1; i < n; i++)
			if (g[i].value != NULL && g[i].steps[0].users > g[i - 1].steps[0].users)
				sorted = 0;
		if (limit == VALUES) {
			/* each group against the funnel of its users' rows alone */
			for (size_t i = 0; i < n; i++) {
				struct row *mine = calloc(N, sizeof(*mine));
				size_t m = 0;
				for (size_t r = 0; r < N; r++) {
					unsigned u;
					char v[8];
					sscanf(rows[r].user, "user%u", &u);
					snprintf(v, sizeof(v), "v%u", u % VALUES);
					if (strlen(u % VALUES ? v : FUNNEL_NONE) == g[i].len &&
					    memcmp(u % VALUES ? v : FUNNEL_NONE, g[i].value, g[i].len) == 0)
						mine[m++] = rows[r];
				}
				run(abc, 3, T, T + 20 * HOUR, 2 * HOUR, mine, m, alone);
				for (int k = 0; k < 3; k++)
					if (alone[k].users != g[i].steps[k].users ||
					    alone[k].median_ms != g[i].steps[k].median_ms)
						same = 0;
				free(mine);
			}
		}
		free(g);
	}
	ok(all[0].users > 500 && all[2].users > 0, "the random funnel has entries and completions");
	ok(sums, "every limit: limit values and the rest, adding up");
	ok(sorted, "every limit: by step-1 count, largest first");
	ok(same, "each group is the funnel of its users alone, medians too");
	funnel_free(f);
	free(rows);
	free(names);
}

static void
test_breakdown_misuse(void)
{
	const char *ab[] = { "a", "b" };
	struct funnel_step out[2];
	struct funnel_group *g = (struct funnel_group *)&out;
	size_t n = 99;
	struct funnel *f = funnel_new(ab, 2, 0, 100, 10, 100);

	ok(funnel_breakdown(f, 10, &g, &n) == -1 && g == NULL && n == 0,
	    "no breakdown before the result; outputs zeroed");
	ok(funnel_add(f, 0, 1, "u", 1) == 0 && funnel_keep_keys(f) == -1, "keys: before the first event only");
	ok(funnel_result(f, out) == 0 && funnel_entrants(f) == 0, "without keys: no entrants");
	ok(funnel_breakdown(f, 10, &g, &n) == -1, "and no breakdown");
	ok(funnel_group(f, 0, "x", 1) == -1, "nor a group");
	funnel_free(f);

	f = funnel_new(ab, 2, 0, 100, 10, 100);
	ok(funnel_keep_keys(f) == 0 && funnel_keep_keys(f) == 0, "keep_keys twice is harmless");
	ok(funnel_entrants(f) == 0, "no entrants before the result");
	funnel_add(f, 1, 5, "only-b", 6);
	funnel_add(f, 0, 5, "", 0);
	ok(funnel_result(f, out) == 0 && funnel_entrants(f) == 1, "one entrant: the empty key");
	{
		const char *key = NULL;
		size_t len = 9;
		int64_t entry = 0;
		ok(funnel_entrant(f, 0, &key, &len, &entry) == 0 && key != NULL && len == 0 && entry == 5,
		    "its key, empty, and its entry");
		ok(funnel_entrant(f, 1, &key, &len, &entry) == -1, "entrant out of range");
	}
	ok(funnel_group(f, 1, "x", 1) == -1, "group out of range");
	ok(funnel_breakdown(f, 0, &g, &n) == -1, "limit 0 refused");
	ok(funnel_breakdown(f, 1, &g, &n) == 0 && n == 1 && g[0].len == strlen(FUNNEL_NONE) &&
	    memcmp(g[0].value, FUNNEL_NONE, g[0].len) == 0, "never given a value: (none)");
	free(g);
	funnel_free(f);

	f = funnel_new(ab, 2, 0, 100, 10, 100);
	funnel_keep_keys(f);
	funnel_add(f, 1, 5, "u", 1);
	ok(funnel_result(f, out) == 0 && funnel_breakdown(f, 5, &g, &n) == 0 && g == NULL && n == 0,
	    "nobody entered: no group");
	funnel_free(f);
}

int
main(void)
{
	test_window();
	test_steps();
	test_paths();
	test_order();
	test_misuse();
	test_breakdown();
	test_breakdown_random();
	test_breakdown_misuse();
	return tap_done();
}
