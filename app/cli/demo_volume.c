/*
 * demo_volume: `--events N --users U --event-names K`: exactly N events
 * over --days for a benchmark of the product analytics, with the skew of
 * real traffic:
 *
 *   time       event i happens where a fraction i/N of the range's traffic
 *              has passed (demo_clock: fewer at night, a weekend dip);
 *   users      sessions are drawn from U users with a Zipf-Mandelbrot law
 *              (weight 1/(rank + 20)): a few heavy users, a long tail; 60 %
 *              of users carry a userId, the rest an anonymousId only;
 *   sessions   about five events each; the first a page view from outside
 *              (search, news, social, newsletter with utm, direct), the rest
 *              page views among 30 URLs (Zipf) with the previous page as
 *              referrer, or track events;
 *   names      K names: page views ($pageview) are one; the next four are
 *              the funnel signup_started → signup → trial_started → purchase,
 *              each user going through it once, in order, fewer at each
 *              step; the others are drawn with Zipf weights 1/rank.
 *
 * Memory: the user weights (8 bytes a user) and a funnel stage and seen bit
 * per user; events are written in transactions of BATCH and forgotten.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_gen.h"
#include "timestamp.h"
#include "util.h"

#define BATCH 20000             /* events per transaction */
#define EVENT_BYTES 640         /* the strings of one event, at most */
#define MAX_SESSION 30
#define FUNNEL 4
#define USER_OFFSET 20.0        /* Zipf-Mandelbrot q: the heaviest user is not all the traffic */
#define SITE "https://www.lumen.example"

static const char *const funnel[FUNNEL] = { "signup_started", "signup", "trial_started", "purchase" };

/* The other names, most frequent first; past the list, custom_event_N. */
static const char *const names[] = {
	"button_clicked", "search", "feature_used", "item_viewed", "file_uploaded", "add_to_cart",
	"invite_sent", "checkout_started", "video_played", "comment_added", "share_clicked",
	"notification_opened", "settings_updated", "filter_applied", "export_clicked", "login",
	"logout", "password_reset", "profile_updated", "plan_viewed", "coupon_applied",
	"wishlist_added", "review_submitted", "help_opened", "chat_opened", "tour_completed",
	"dashboard_viewed", "report_created", "integration_connected", "api_key_created",
	"project_created", "task_completed", "file_downloaded", "link_copied", "tab_switched",
	"theme_changed", "error_shown", "form_submitted", "newsletter_subscribed", "cart_viewed",
	"item_removed", "order_tracked", "refund_requested", "survey_answered", "onboarding_step",
	"template_used",
};
#define NNAMES (int)(sizeof(names) / sizeof(names[0]))

static const char *const paths[] = {
	"/", "/pricing", "/features", "/docs/getting-started", "/blog/how-we-cut-our-llm-bill",
	"/app", "/app/chat", "/docs/api", "/signup", "/app/documents", "/app/search", "/blog",
	"/docs/integrations/slack", "/blog/ai-summaries-that-cite-their-sources", "/about",
	"/customers", "/checkout", "/docs/sdk/javascript", "/docs/sdk/python", "/changelog",
	"/blog/search-your-team-wiki", "/security", "/careers", "/contact", "/docs/self-hosting",
	"/app/settings", "/app/billing", "/legal/privacy", "/legal/terms", "/status",
};
#define NPATHS (int)(sizeof(paths) / sizeof(paths[0]))

static const char *const referrers[] = {
	"https://www.google.com/", "", "https://www.google.com/", "https://news.ycombinator.com/",
	"https://www.bing.com/", "https://t.co/", "https://duckduckgo.com/",
	"https://www.reddit.com/r/selfhosted/", "https://www.linkedin.com/",
};
static const double referrer_w[] = { 40, 22, 6, 5, 4, 4, 3, 3, 3 };
#define NREFERRERS (int)(sizeof(referrers) / sizeof(referrers[0]))

static const char *const agents[] = {
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
	"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
};
#define NAGENTS (int)(sizeof(agents) / sizeof(agents[0]))

struct volume {
	const struct demo_opts *o;
	struct demo_sink k;
	struct demo_rng r;
	struct demo_ids ids;
	struct demo_clock clock;
	double *user_cdf;               /* cumulative weight of activity ranks 0..U-1 */
	uint64_t user_mult;             /* rank → user: a bijection mod U */
	unsigned char *stage;           /* funnel steps a user has done */
	unsigned char *seen;            /* a bit per user with an event */
	double name_cdf[1000];          /* over the names after the funnel */
	int nfunnel, nother;
	char other[1000][32];
	double path_cdf[NPATHS];
	int64_t users_seen, sessions, pageviews, steps[FUNNEL];
};

/* An index with P(i) = (cdf[i] - cdf[i-1]) / cdf[n-1]. */
static int64_t
sample(struct demo_rng *r, const double *cdf, int64_t n)
{
	double x = demo_unit(r) * cdf[n - 1];
	int64_t lo = 0, hi = n - 1;

	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if (cdf[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static uint64_t
gcd(uint64_t a, uint64_t b)
{
	while (b != 0) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static int
volume_init(struct volume *v, struct store *st, const struct project *p, const struct demo_opts *o)
{
	int64_t u = o->users;
	double sum = 0;

	memset(v, 0, sizeof(*v));
	v->o = o;
	demo_rng_seed(&v->r, o->seed);
	demo_ids_init(&v->ids, o->seed, o->end_ms);
	if (demo_sink_init(&v->k, st, p->id, BATCH, 0, 0, (size_t)BATCH * EVENT_BYTES) != 0)
		return -1;
	if (demo_clock_init(&v->clock, o->start_ms, o->end_ms) != 0 ||
	    (v->user_cdf = malloc((size_t)u * sizeof(double))) == NULL ||
	    (v->stage = calloc((size_t)u, 1)) == NULL ||
	    (v->seen = calloc((size_t)u / 8 + 1, 1)) == NULL) {
		fprintf(stderr, "tallyctl: demo-data: out of memory for %" PRId64 " users\n", u);
		return -1;
	}
	for (int64_t i = 0; i < u; i++) {
		sum += 1.0 / ((double)i + USER_OFFSET);
		v->user_cdf[i] = sum;
	}
	/* heavy users spread over the id space, not user-0, user-1, … */
	for (v->user_mult = 2654435761ULL % (uint64_t)u; gcd(v->user_mult, (uint64_t)u) != 1; v->user_mult++)
		;
	v->nfunnel = o->names - 1 < FUNNEL ? o->names - 1 : FUNNEL;
	v->nother = o->names - 1 - v->nfunnel;
	sum = 0;
	for (int i = 0; i < v->nother; i++) {
		if (i < NNAMES)
			snprintf(v->other[i], sizeof(v->other[i]), "%s", names[i]);
		else
			snprintf(v->other[i], sizeof(v->other[i]), "custom_event_%d", i - NNAMES + 1);
		sum += 1.0 / (i + 1);
		v->name_cdf[i] = sum;
	}
	sum = 0;
	for (int i = 0; i < NPATHS; i++) {
		sum += 1.0 / (i + 1);
		v->path_cdf[i] = sum;
	}
	return 0;
}

static void
volume_free(struct volume *v)
{
	demo_sink_free(&v->k);
	demo_clock_free(&v->clock);
	free(v->user_cdf);
	free(v->stage);
	free(v->seen);
}

/* The ids of user u: 60 % have a userId; everybody an anonymousId. */
struct who {
	const char *user, *anon, *ua, *platform;
};

static void
who(struct volume *v, uint64_t u, struct who *w)
{
	uint64_t h = demo_id64(&v->ids, 'a', u);
	static const char *const platforms[] = { "web", "web", "web", "ios", "android" };

	w->anon = demo_printf(&v->k, "anon-%016" PRIx64, h);
	w->user = h % 10 < 6 ? demo_printf(&v->k, "user-%" PRIu64, u) : NULL;
	w->ua = agents[(h >> 8) % NAGENTS];
	w->platform = platforms[(h >> 16) % 5];
}

static struct event *
event_new(struct volume *v, const struct who *w, const char *session, int type, const char *name,
    int64_t i, int64_t ts)
{
	struct event *e = demo_sink_event(&v->k);
	char mid[37];

	demo_uuid(&v->ids, 'm', (uint64_t)i, mid);
	e->type = type;
	e->event = name;
	e->user_id = w->user;
	e->anonymous_id = w->anon;
	e->session_id = session;
	e->message_id = demo_printf(&v->k, "%s", mid);
	e->ts_ms = ts;
	return e;
}

/* A page view: path, and where the visitor came from ("" typed in). */
static void
page(struct volume *v, struct event *e, const struct who *w, const char *path, const char *query,
    const char *referrer)
{
	e->context = demo_printf(&v->k, "{\"page\":{\"path\":\"%s\",\"referrer\":\"%s\",\"search\":\"%s\","
	    "\"url\":\"" SITE "%s%s\"},\"userAgent\":\"%s\"}", path, referrer, query, path, query, w->ua);
	v->pageviews++;
}

/* One session of up to `left` events from event i on; returns how many it wrote. */
static int64_t
session(struct volume *v, int64_t i, int64_t left)
{
	const struct demo_opts *o = v->o;
	uint64_t u = ((uint64_t)sample(&v->r, v->user_cdf, o->users) * v->user_mult) % (uint64_t)o->users;
	int64_t n = 1, t = demo_clock_at(&v->clock, ((double)i + 0.5) / (double)o->events);
	int stage = v->stage[u];
	int steps = stage == 0 ? demo_chance(&v->r, 0.06) : stage < v->nfunnel && demo_chance(&v->r, 0.2);
	const char *session, *prev = "";
	struct who w;

	while (n < MAX_SESSION && n < left && demo_chance(&v->r, 0.8))
		n++;
	if (!(v->seen[u / 8] & (1u << (u % 8)))) {
		v->seen[u / 8] |= (unsigned char)(1u << (u % 8));
		v->users_seen++;
	}
	v->sessions++;
	who(v, u, &w);
	session = demo_printf(&v->k, "ses_%016" PRIx64, demo_id64(&v->ids, 's', (uint64_t)i));
	for (int64_t j = 0; j < n; j++, i++) {
		struct event *e;

		if (j > 0)
			t += demo_spread(&v->r, 30000);
		if (t >= o->end_ms)
			t = o->end_ms - 1;
		if (j == 0) {
			/* arrival: an outside referrer, or the newsletter's utm */
			int nl = demo_chance(&v->r, 0.05);
			const char *path = paths[sample(&v->r, v->path_cdf, NPATHS)];
			e = event_new(v, &w, session, EV_PAGE, NULL, i, t);
			page(v, e, &w, path, nl ? "?utm_source=newsletter&utm_medium=email&utm_campaign=weekly" : "",
			    nl ? "" : referrers[demo_pick(&v->r, referrer_w, NREFERRERS)]);
			prev = path;
		} else if (steps && stage < v->nfunnel) {
			e = event_new(v, &w, session, EV_TRACK, funnel[stage], i, t);
			if (stage == 3) {
				static const char *const plan[] = { "starter", "pro", "team" };
				static const int usd[] = { 12, 29, 79 };
				int pl = demo_below(&v->r, 3), eur = demo_chance(&v->r, 0.3);
				e->properties = demo_printf(&v->k, "{\"plan\":\"%s\",\"amount\":%d.00,\"currency\":\"%s\"}",
				    plan[pl], usd[pl], eur ? "EUR" : "USD");
				if (eur || demo_chance(&v->r, 0.3))
					e->shop_id = eur ? "shop-eu" : "shop-us";
			} else
				e->properties = demo_printf(&v->k, "{\"platform\":\"%s\"}", w.platform);
			v->steps[stage]++;
			v->stage[u] = (unsigned char)++stage;
			/* a purchase comes in a later session */
			steps = stage < 3 && demo_chance(&v->r, 0.55);
		} else if (v->nother == 0 || demo_chance(&v->r, 0.45)) {
			const char *path = paths[sample(&v->r, v->path_cdf, NPATHS)];
			char from[128];
			snprintf(from, sizeof(from), SITE "%s", prev);
			e = event_new(v, &w, session, EV_PAGE, NULL, i, t);
			page(v, e, &w, path, "", from);
			prev = path;
		} else {
			e = event_new(v, &w, session, EV_TRACK, v->other[sample(&v->r, v->name_cdf, v->nother)], i, t);
			e->properties = demo_printf(&v->k, "{\"platform\":\"%s\"}", w.platform);
			e->context = demo_printf(&v->k, "{\"page\":{\"path\":\"%s\"},\"userAgent\":\"%s\"}", prev, w.ua);
		}
	}
	return n;
}

int
demo_volume_run(struct store *st, const struct project *p, const struct demo_opts *o)
{
	struct volume *v = malloc(sizeof(*v));
	int64_t done = 0, next_report, t0 = util_mono_us();
	int rc = 1;

	if (v == NULL || volume_init(v, st, p, o) != 0) {
		if (v == NULL)
			fprintf(stderr, "tallyctl: demo-data: out of memory\n");
		goto out;
	}
	next_report = o->events / 10;
	while (done < o->events) {
		if (demo_sink_room(&v->k, MAX_SESSION, 0, 0, MAX_SESSION * EVENT_BYTES) != 0)
			goto out;
		done += session(v, done, o->events - done);
		if (o->events >= 100000 && done >= next_report) {
			double s = demo_seconds(t0);
			fprintf(stderr, "  %" PRId64 " events (%d %%) in %.0f s, %.0f events/s\n", done,
			    (int)(done * 100 / o->events), s, (double)done / (s > 0 ? s : 1));
			next_report += o->events / 10;
		}
	}
	if (demo_sink_flush(&v->k) != 0)
		goto out;
	{
		double s = demo_seconds(t0);
		char from[32], to[32];
		ts_format_iso(v->k.first_ms, from);
		ts_format_iso(v->k.last_ms, to);
		printf("%" PRId64 " events stored (%" PRId64 " already there) for project %s over %d days "
		    "in %.1f s (%.0f events/s), %s .. %s\n", v->k.events, v->k.events_dup, p->slug, o->days,
		    s, (double)o->events / (s > 0 ? s : 1), from, to);
		printf("  %" PRId64 " users active of %" PRId64 ", %" PRId64 " sessions, %" PRId64
		    " page views, %d event names", v->users_seen, o->users, v->sessions, v->pageviews, o->names);
		for (int i = 0; i < v->nfunnel; i++)
			printf("%s%s %" PRId64, i ? " > " : "; funnel ", funnel[i], v->steps[i]);
		printf("\n");
	}
	rc = 0;
out:
	if (v != NULL)
		volume_free(v);
	free(v);
	return rc;
}
