/*
 * demo_week: the default of `tallyctl demo-data`: a realistic week (or
 * --days) of "Lumen", a small SaaS with an AI assistant, so a new user
 * sees a full dashboard at once. docs/demo-data.md tells the story:
 *
 *   visits     about 330 a day, following the daily and weekly rhythm
 *              (demo_clock); 30 % are returning visitors; each is a session
 *              with page views (url, path, title, referrer, userAgent) from
 *              search engines, news sites, social links, a Tuesday
 *              newsletter with utm parameters, or typed in;
 *   funnel     /signup: identify (traits email, name, company, plan) and
 *              signup_started, then signup, trial_started, and purchase
 *              (plan, amount, currency, sometimes shopId), fewer at each step;
 *   product    signed-up users and existing customers come back to the app
 *              and use chat (conversations of turns), summarise and search:
 *              LLM traces on priced models, with their user and web
 *              session ids, and votes on turns and traces.
 *
 * Visits are made in time order and written visit by visit; what a visit
 * writes is bounded (VISIT_*), so a batch never splits one. Memory: the
 * last RING anonymous visitors (who may come back) and every signed-up
 * user, not the events.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_gen.h"
#include "timestamp.h"
#include "util.h"

#define VISITS_PER_DAY 330
#define RING 8192               /* anonymous visitors who may return */
#define VISIT_EVENTS 64         /* at most, per visit */
#define VISIT_SPANS 64
#define VISIT_VOTES 24
#define VISIT_BYTES (160 * 1024)
#define MAX_PAGES 8
#define SITE "https://www.lumen.example"

/* ---- the site ---- */
enum page {
	HOME, FEATURES, PRICING, DOCS_START, DOCS_API, DOCS_SLACK, BLOG_SOURCES, BLOG_COSTS,
	BLOG_SEARCH, SIGNUP, NMARKETING,                    /* the public site ends here */
	CHECKOUT = NMARKETING, WELCOME, APP, APP_CHAT, APP_DOCS, APP_SEARCH, NPAGES
};

static const struct {
	const char *path, *title;
} pages[NPAGES] = {
	[HOME] = { "/", "Lumen - the AI workspace for your team's documents" },
	[FEATURES] = { "/features", "Features - Lumen" },
	[PRICING] = { "/pricing", "Pricing - Lumen" },
	[DOCS_START] = { "/docs/getting-started", "Getting started - Lumen Docs" },
	[DOCS_API] = { "/docs/api", "API reference - Lumen Docs" },
	[DOCS_SLACK] = { "/docs/integrations/slack", "Slack integration - Lumen Docs" },
	[BLOG_SOURCES] = { "/blog/ai-summaries-that-cite-their-sources",
	    "AI summaries that cite their sources - Lumen Blog" },
	[BLOG_COSTS] = { "/blog/how-we-cut-our-llm-bill", "How we cut our LLM bill by 60 percent - Lumen Blog" },
	[BLOG_SEARCH] = { "/blog/search-your-team-wiki", "Search your team wiki like you search the web - Lumen Blog" },
	[SIGNUP] = { "/signup", "Create your account - Lumen" },
	[CHECKOUT] = { "/checkout", "Checkout - Lumen" },
	[WELCOME] = { "/app/welcome", "Welcome - Lumen" },
	[APP] = { "/app", "Home - Lumen" },
	[APP_CHAT] = { "/app/chat", "Assistant - Lumen" },
	[APP_DOCS] = { "/app/documents", "Documents - Lumen" },
	[APP_SEARCH] = { "/app/search", "Search - Lumen" },
};

/* Where a visitor of the public site goes next (row: from, column: to). */
static const double next_page[NMARKETING][NMARKETING] = {
	/*              HOME FEAT PRIC DSTA DAPI DSLK BSRC BCST BSRH SIGN */
	[HOME] =         { 0,   3,   3,   1, 0.3, 0.3, 0.4, 0.4, 0.4,   1 },
	[FEATURES] =     { 1,   0,   4, 0.7, 0.3, 0.3, 0.2, 0.2, 0.2,   1 },
	[PRICING] =      { 1,   2,   0, 0.6, 0.2, 0.2,   0,   0,   0, 2.4 },
	[DOCS_START] =   { 1, 0.5,   1,   0,   2,   2,   0,   0,   0, 0.6 },
	[DOCS_API] =     { 0.5, 0,   1,   2,   0,   1,   0,   0,   0, 0.4 },
	[DOCS_SLACK] =   { 0.5, 0.5, 1,   2,   1,   0,   0,   0,   0, 0.4 },
	[BLOG_SOURCES] = { 2,   1,   1,   0,   0,   0,   0,   1,   1, 0.3 },
	[BLOG_COSTS] =   { 2,   1, 1.5,   0,   0,   0,   1,   0,   1, 0.3 },
	[BLOG_SEARCH] =  { 2,   1,   1,   0,   0,   0,   1,   1,   0, 0.3 },
	[SIGNUP] =       { 1,   1,   2,   0,   0,   0,   0,   0,   0,   0 },
};

/* ---- where visitors come from ---- */
enum source { S_SEARCH, S_NEWS, S_SOCIAL, S_NEWSLETTER, S_DIRECT, NSOURCES };

static const char *const search_engines[] = {
	"https://www.google.com/", "https://www.google.com/", "https://www.google.com/",
	"https://www.google.com/", "https://www.google.com/", "https://www.google.com/",
	"https://www.google.com/", "https://www.bing.com/", "https://duckduckgo.com/",
};
static const char *const news_sites[] = {
	"https://news.ycombinator.com/", "https://news.ycombinator.com/",
	"https://www.theverge.com/", "https://techcrunch.com/",
};
static const char *const social_sites[] = {
	"https://t.co/", "https://www.reddit.com/r/selfhosted/", "https://www.linkedin.com/",
};
#define NELEM(a) (int)(sizeof(a) / sizeof((a)[0]))

/* Landing page per source (weights over the public site). */
static const double landing[NSOURCES][NMARKETING] = {
	/*              HOME FEAT PRIC DSTA DAPI DSLK BSRC BCST BSRH SIGN */
	[S_SEARCH] =     { 25,  5,  10,  15,  10,  10,   8,   9,   8,   0 },
	[S_NEWS] =       { 20,  0,   0,   0,   0,   0,   5,  70,   5,   0 },
	[S_SOCIAL] =     { 40,  0,   0,   0,   0,   0,  20,  20,  20,   0 },
	[S_NEWSLETTER] = {  0,  0,  10,   0,   0,   0,   0,   0,   0,   0 },   /* + the issue's post */
	[S_DIRECT] =     { 70,  0,  15,  10,   0,   5,   0,   0,   0,   0 },
};

static const struct {
	const char *ua;
	double w;
} agents[] = {
	{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
	  "Chrome/124.0.0.0 Safari/537.36", 34 },
	{ "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
	  "Version/17.4 Safari/605.1.15", 15 },
	{ "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
	  "Chrome/124.0.0.0 Safari/537.36", 15 },
	{ "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
	  "Version/17.4 Mobile/15E148 Safari/604.1", 14 },
	{ "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
	  "Chrome/124.0.0.0 Mobile Safari/537.36", 8 },
	{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
	  "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0", 7 },
	{ "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", 7 },
};
static const struct {
	const char *locale;
	double w;
} locales[] = {
	{ "en-US", 45 }, { "en-GB", 15 }, { "de-DE", 12 }, { "fr-FR", 8 }, { "es-ES", 6 },
	{ "ja-JP", 5 }, { "pt-BR", 5 }, { "nl-NL", 4 },
};

/* ---- people ---- */
static const char *const first_names[] = {
	"Maria", "James", "Aiko", "Lukas", "Sofia", "Noah", "Chloe", "Mateo", "Emma", "Oliver",
	"Amara", "Liam", "Yuki", "Elena", "Arjun", "Hannah", "Diego", "Freya", "Omar", "Ines",
	"Jonas", "Priya", "Tom", "Zoe",
};
static const char *const last_names[] = {
	"Garcia", "Smith", "Tanaka", "Muller", "Rossi", "Johnson", "Martin", "Lopez", "Brown",
	"Wilson", "Okafor", "Walsh", "Sato", "Novak", "Patel", "Schmidt", "Fernandez", "Larsen",
	"Haddad", "Silva", "Becker", "Sharma", "Clarke", "Dubois",
};
static const struct {
	const char *name, *domain;
} companies[] = {
	{ "Northwind", "northwind.example" }, { "Acme Corp", "acme.example" },
	{ "Globex", "globex.example" }, { "Initech", "initech.example" },
	{ "Umbrella Health", "umbrella.example" }, { "Hooli", "hooli.example" },
	{ "Stark Logistics", "stark.example" }, { "Wayne Media", "waynemedia.example" },
	{ "Pied Piper", "piedpiper.example" }, { "Soylent Foods", "soylent.example" },
	{ "Tyrell Labs", "tyrell.example" }, { "Vandelay Imports", "vandelay.example" },
};

/* Plans: monthly price in USD and in EUR (the EU shop). */
static const struct {
	const char *name;
	int usd, eur;
	double w;
} plans[] = {
	{ "starter", 12, 11, 35 }, { "pro", 29, 27, 50 }, { "team", 79, 73, 15 },
};

/* ---- what users ask the assistant ---- */
static const struct {
	const char *q, *a;
} chat_turns[] = {
	{ "How do I share a folder with someone outside my workspace?",
	  "Open the folder, choose Share, and invite them by email as a guest. Guests see only what you share." },
	{ "Summarise what changed in the Q3 pricing doc compared with Q2.",
	  "Q3 raises the Team plan to 79 USD, adds annual billing at two months free and drops the seat minimum." },
	{ "Which customers mentioned SSO in their last support ticket?",
	  "Three did: Globex, Initech and Hooli. Globex asked for SAML, the other two for Google Workspace." },
	{ "Draft a friendly reply to a customer asking for a refund after 40 days.",
	  "Hi! Thanks for reaching out. Our refund window is 30 days, but we can offer a credit for next month." },
	{ "What is our policy on remote work for contractors?",
	  "Contractors may work remotely full time; they need a company laptop and must use the VPN." },
	{ "Turn these meeting notes into a list of action items with owners.",
	  "1. Maria: send the revised budget. 2. Tom: book the venue. 3. Priya: update the roadmap page." },
	{ "Explain the difference between the Pro and Team plans in two sentences.",
	  "Pro is for individuals with unlimited documents and the assistant. Team adds shared spaces, SSO and admin controls." },
	{ "Find the onboarding checklist for new engineers and list the first-week tasks.",
	  "Week one: set up the laptop, get repository access, ship a small fix and pair with your buddy." },
	{ "Translate the release notes for version 2.14 into German.",
	  "Version 2.14: Schnellere Suche, neue Slack-Integration und zahlreiche Fehlerbehebungen." },
	{ "Why did the invoice total for Globex change last month?",
	  "They added twelve seats on the 14th; the prorated amount appears on last month's invoice." },
	{ "Write a short status update for the mobile app project.",
	  "The mobile app is on track: login and offline mode are done, sync ships next sprint." },
	{ "What did we decide about the logo in last week's design review?",
	  "Keep the current mark, darken the blue and use the new wordmark from the next release on." },
};
static const struct {
	const char *title, *summary;
} documents[] = {
	{ "Q3 board update", "Revenue up 18 percent, churn down to 2.1 percent, two senior hires planned." },
	{ "Customer interview notes - Globex", "They want SSO, audit logs and faster search across shared spaces." },
	{ "Security review 2024", "No critical findings; rotate the API signing keys and enforce MFA for admins." },
	{ "Onboarding handbook", "Accounts on day one, a buddy for the first month, a first release in week two." },
	{ "Incident report: search outage", "A full disk stopped indexing for 47 minutes; alerts now fire at 80 percent." },
	{ "Sales playbook EMEA", "Lead with the GDPR story, offer the EU shop and a 30-day pilot." },
};
static const char *const searches[] = {
	"expense policy travel", "slack integration setup", "q3 roadmap", "customer churn analysis",
	"vpn access for contractors", "holiday calendar", "pricing page copy", "incident postmortems",
};
static const char *const up_comments[] = {
	"Spot on, thanks!", "Exactly what I needed", "Great summary", "Saved me an hour",
};
static const char *const down_comments[] = {
	"It made up a policy that does not exist", "Too long, I asked for two sentences",
	"Wrong document", "Missed the most important point",
};

/* ---- state ---- */
enum stage { VISITOR, STARTED, SIGNED_UP, TRIAL, PAYING };

struct visitor {
	char anon[37];
	char user[16];                  /* set at the first step of the signup form */
	int stage;                      /* enum stage */
	int ua, locale, first, last, company, plan;
	int visits;
	int identified;                 /* identify sent in this range */
	int64_t created_ms;             /* when the account was made */
	int64_t busy_until;             /* the end of their last visit */
};

struct stats {
	int64_t visitors, visits, returning, pageviews, identifies, started, signups, trials,
	    purchases, revenue_usd, revenue_eur, traces, conversations, votes_up, votes_down;
};

struct week {
	const struct demo_opts *o;
	struct demo_sink k;
	struct demo_rng r;
	struct demo_ids ids;
	uint64_t seq;                   /* ids are hashes of (seed, end, seq) */
	struct visitor *ring;           /* anonymous visitors; anon[0] 0: empty slot */
	size_t ring_used, ring_next;
	struct visitor *members;        /* everyone with an account */
	size_t nmembers, members_cap;
	int64_t end_ms;
	struct stats st;
};

/* One visit: a session of one visitor. Strings point into the batch. */
struct visit {
	struct visitor *v;
	const char *anon, *user, *session, *ua, *locale;
	int64_t t;
	int page;                       /* the current page; -1 before the first */
	const char *url;                /* the current page's URL */
	int over;                       /* the range ended: nothing more */
};

/* ---- ids and strings ---- */

static const char *
new_uuid(struct week *w, int kind)
{
	char id[37];
	demo_uuid(&w->ids, kind, w->seq++, id);
	return demo_printf(&w->k, "%s", id);
}

static const char *
new_hex(struct week *w, int kind, const char *prefix, int digits)
{
	uint64_t a = demo_id64(&w->ids, kind, w->seq++);
	if (digits <= 16)
		return demo_printf(&w->k, "%s%0*" PRIx64, prefix, digits, a >> (64 - 4 * digits));
	return demo_printf(&w->k, "%s%016" PRIx64 "%0*" PRIx64, prefix, a,
	    digits - 16, demo_id64(&w->ids, kind, w->seq++) >> (64 - 4 * (digits - 16)));
}

/* The time moves on by about median ms; past the range's end the visit stops. */
static void
advance(struct week *w, struct visit *s, double median)
{
	s->t += demo_spread(&w->r, median);
	if (s->t > w->end_ms - 60000)   /* room for a call's latency and a vote */
		s->over = 1;
}

/* ---- events ---- */

static struct event *
event_new(struct week *w, struct visit *s, int type, const char *name)
{
	struct event *e = demo_sink_event(&w->k);
	e->type = type;
	e->event = name;
	e->anonymous_id = s->anon;
	e->user_id = s->user;
	e->session_id = s->session;
	e->message_id = new_uuid(w, 'm');
	e->ts_ms = s->t;
	return e;
}

static const char *
track_context(struct week *w, struct visit *s)
{
	return demo_printf(&w->k, "{\"page\":{\"path\":\"%s\",\"url\":\"%s\",\"title\":\"%s\"},"
	    "\"userAgent\":\"%s\",\"locale\":\"%s\",\"library\":{\"name\":\"tally.js\",\"version\":\"1.0.0\"}}",
	    pages[s->page].path, s->url, pages[s->page].title, s->ua, s->locale);
}

/* A track event on the current page; props is JSON object text or NULL. */
static struct event *
track(struct week *w, struct visit *s, const char *name, const char *props)
{
	struct event *e = event_new(w, s, EV_TRACK, name);
	e->properties = props;
	e->context = track_context(w, s);
	return e;
}

/*
 * A page view. query: "" or "?utm_…"; referrer: "" when typed in;
 * campaign: the newsletter issue or NULL.
 */
static void
page_view(struct week *w, struct visit *s, int page, const char *query, const char *referrer,
    const char *campaign)
{
	struct event *e;
	const char *url = demo_printf(&w->k, SITE "%s%s", pages[page].path, query);
	char camp[160] = "";

	if (s->page >= 0)
		advance(w, s, 35000);
	if (s->over)
		return;
	if (campaign)
		snprintf(camp, sizeof(camp), ",\"campaign\":{\"name\":\"%s\",\"source\":\"newsletter\","
		    "\"medium\":\"email\"}", campaign);
	s->page = page;
	e = event_new(w, s, EV_PAGE, NULL);
	/* as analytics.js sends it: the page in properties and in context.page */
	e->properties = demo_printf(&w->k, "{\"path\":\"%s\",\"referrer\":\"%s\",\"search\":\"%s\","
	    "\"title\":\"%s\",\"url\":\"%s\"}", pages[page].path, referrer, query, pages[page].title, url);
	e->context = demo_printf(&w->k, "{\"page\":{\"path\":\"%s\",\"referrer\":\"%s\",\"search\":\"%s\","
	    "\"title\":\"%s\",\"url\":\"%s\"},\"userAgent\":\"%s\",\"locale\":\"%s\","
	    "\"library\":{\"name\":\"tally.js\",\"version\":\"1.0.0\"}%s}",
	    pages[page].path, referrer, query, pages[page].title, url, s->ua, s->locale, camp);
	s->url = url;
	w->st.pageviews++;
}

/* The next page inside the site: the referrer is the page before. */
static void
page_next(struct week *w, struct visit *s, int page)
{
	page_view(w, s, page, "", s->url ? s->url : "", NULL);
}

static void
identify(struct week *w, struct visit *s, const char *traits)
{
	struct event *e;
	if (s->over)
		return;
	e = event_new(w, s, EV_IDENTIFY, NULL);
	e->traits = traits;
	e->context = demo_printf(&w->k, "{\"userAgent\":\"%s\",\"locale\":\"%s\"}", s->ua, s->locale);
	w->st.identifies++;
}

static void
lower(char *dst, size_t n, const char *src)
{
	size_t i;
	for (i = 0; i + 1 < n && src[i]; i++)
		dst[i] = (char)(src[i] >= 'A' && src[i] <= 'Z' ? src[i] + ('a' - 'A') : src[i]);
	dst[i] = '\0';
}

/* The traits of a profile: an email-like address at the company's domain. */
static const char *
profile_traits(struct week *w, const struct visitor *v, const char *plan)
{
	char first[32], last[32], created[32];

	lower(first, sizeof(first), first_names[v->first]);
	lower(last, sizeof(last), last_names[v->last]);
	ts_format_iso(v->created_ms, created);
	return demo_printf(&w->k, "{\"email\":\"%s.%s%02d@%s\",\"name\":\"%s %s\",\"company\":\"%s\","
	    "\"plan\":\"%s\",\"createdAt\":\"%s\"}", first, last,
	    (int)(demo_id64(&w->ids, 'e', (uint64_t)v->created_ms) % 100), companies[v->company].domain,
	    first_names[v->first], last_names[v->last], companies[v->company].name, plan, created);
}

/* ---- visitors ---- */

static void
visitor_init(struct week *w, struct visitor *v)
{
	double ua_w[NELEM(agents)], loc_w[NELEM(locales)], plan_w[NELEM(plans)];

	for (int i = 0; i < NELEM(agents); i++)
		ua_w[i] = agents[i].w;
	for (int i = 0; i < NELEM(locales); i++)
		loc_w[i] = locales[i].w;
	for (int i = 0; i < NELEM(plans); i++)
		plan_w[i] = plans[i].w;
	memset(v, 0, sizeof(*v));
	demo_uuid(&w->ids, 'a', w->seq++, v->anon);
	v->ua = demo_pick(&w->r, ua_w, NELEM(agents));
	v->locale = demo_pick(&w->r, loc_w, NELEM(locales));
	v->first = demo_below(&w->r, NELEM(first_names));
	v->last = demo_below(&w->r, NELEM(last_names));
	v->company = demo_below(&w->r, NELEM(companies));
	v->plan = demo_pick(&w->r, plan_w, NELEM(plans));
}

/* An account for v: a user id, and v moves into the members. NULL when out of memory. */
static struct visitor *
member_add(struct week *w, struct visitor *v, int64_t created_ms)
{
	struct visitor *grown = util_grow(w->members, &w->members_cap, w->nmembers,
	    sizeof(*w->members), 256);
	struct visitor *m;

	if (grown == NULL)
		return NULL;
	w->members = grown;
	m = &w->members[w->nmembers++];
	*m = *v;
	snprintf(m->user, sizeof(m->user), "usr_%010" PRIx64, demo_id64(&w->ids, 'u', w->seq++) >> 24);
	m->created_ms = created_ms;
	if (v >= w->ring && v < w->ring + RING)
		v->anon[0] = '\0';      /* the ring slot is free again */
	return m;
}

/* A returning visitor not in a visit now, or a new one (30 % come back). */
static struct visitor *
choose_visitor(struct week *w, int64_t t)
{
	struct visitor *v;

	if (demo_chance(&w->r, 0.30)) {
		for (int tries = 0; tries < 4; tries++) {
			v = NULL;
			/* people with an account come back far more often */
			if (w->nmembers > 0 && demo_chance(&w->r, 0.55))
				v = &w->members[demo_below(&w->r, (int)w->nmembers)];
			else if (w->ring_used > 0)
				v = &w->ring[demo_below(&w->r, (int)w->ring_used)];
			if (v != NULL && v->anon[0] != '\0' && v->busy_until + 30 * 60000LL < t)
				return v;
		}
	}
	v = &w->ring[w->ring_next];
	w->ring_next = (w->ring_next + 1) % RING;
	if (w->ring_used < RING)
		w->ring_used++;
	visitor_init(w, v);
	return v;
}

/* ---- LLM calls and votes ---- */

static int m_chat_small, m_chat_large, m_chat_top, m_sum, m_rewrite;

/*
 * A call of trace at start (the web user and session), sized like the
 * --calls generator's; NULL when it would end after the range (the visit
 * is then over).
 */
static struct llm_span *
call(struct week *w, struct visit *s, const char *trace, const char *parent, const char *name,
    const char *feature, int m, double median, int64_t start, const char *input, const char *output)
{
	struct llm_span tmp, *sp;

	memset(&tmp, 0, sizeof(tmp));
	demo_call_measure(&w->r, &tmp, median, m, start);
	if (tmp.end_ms > w->end_ms) {
		s->over = 1;
		return NULL;
	}
	sp = demo_sink_span(&w->k);
	*sp = tmp;
	sp->trace_id = trace;
	sp->span_id = new_hex(w, 'p', "", 16);
	sp->parent_span_id = parent;
	sp->name = name;
	sp->feature = feature;
	sp->provider = demo_models[m].provider;
	sp->model = demo_models[m].model;
	sp->user_id = s->user;
	sp->session_id = s->session;
	sp->input = input;
	if (sp->status == LLM_OK)
		sp->output = output;
	return sp;
}

/* A vote on a turn or a trace a few seconds after the answer; p_up: the chance of +1. */
static void
vote(struct week *w, struct visit *s, const char *trace, const char *turn, const char *conv, double p_up)
{
	int64_t ts = s->t + demo_spread(&w->r, 12000);
	int up = demo_chance(&w->r, p_up);
	const char *comment = NULL;
	struct vote *v;

	if (up && demo_chance(&w->r, 0.10))
		comment = up_comments[demo_below(&w->r, NELEM(up_comments))];
	else if (!up && demo_chance(&w->r, 0.40))
		comment = down_comments[demo_below(&w->r, NELEM(down_comments))];
	if (ts > w->end_ms)
		return;
	v = demo_sink_vote(&w->k);
	v->trace_id = trace;
	v->turn_id = turn;
	v->conversation_id = conv;
	v->user_id = s->user;
	v->comment = comment;
	v->value = up ? 1 : -1;
	v->ts_ms = ts;
	v->message_id = new_uuid(w, 'v');
	s->t = ts;
	if (up)
		w->st.votes_up++;
	else
		w->st.votes_down++;
}

/* A chat conversation: turns of one question each, answered by one model (a tool call now and then). */
static void
chat(struct week *w, struct visit *s)
{
	static const double model_w[] = { 60, 25, 15 };
	const int models[] = { m_chat_small, m_chat_large, m_chat_top };
	int m = models[demo_pick(&w->r, model_w, 3)];
	int turns = 1;
	const char *conv;

	page_next(w, s, APP_CHAT);
	while (turns < 6 && demo_chance(&w->r, 0.55))
		turns++;
	conv = new_hex(w, 'c', "conv_", 12);
	for (int turn = 1; turn <= turns; turn++) {
		int qa = demo_below(&w->r, NELEM(chat_turns));
		const char *turn_id, *trace;
		struct event *e;
		struct llm_span *sp;

		advance(w, s, 20000);   /* reading, typing */
		if (s->over)
			return;
		turn_id = new_hex(w, 'n', "turn_", 12);
		trace = new_hex(w, 't', "", 32);
		e = track(w, s, "chat_message_sent", demo_printf(&w->k, "{\"feature\":\"chat\",\"turn\":%d}", turn));
		e->conversation_id = conv;
		e->turn_id = turn_id;
		/* the history grows with every turn */
		sp = call(w, s, trace, NULL, "chat", "chat", m, 700 + 450 * turn, s->t + 50,
		    chat_turns[qa].q, chat_turns[qa].a);
		if (sp == NULL)
			return;
		sp->conversation_id = conv;
		sp->turn_id = turn_id;
		s->t = sp->end_ms;
		w->st.traces++;
		w->st.conversations += turn == 1;
		if (sp->status == LLM_OK && demo_chance(&w->r, 0.2)) {
			const char *parent = sp->span_id;
			sp = call(w, s, trace, parent, "chat.tool_result", "chat", m, 1200 + 450 * turn,
			    s->t + 300, NULL, chat_turns[qa].a);
			if (sp == NULL)
				return;
			sp->conversation_id = conv;
			sp->turn_id = turn_id;
			s->t = sp->end_ms;
		}
		if (demo_chance(&w->r, 0.3))
			vote(w, s, trace, turn_id, conv, 0.82);
	}
}

/* Summaries of one or two documents, sometimes right after an upload. */
static void
summarise(struct week *w, struct visit *s)
{
	static const double model_w[] = { 75, 25 };
	int n = 1 + demo_below(&w->r, 2);

	page_next(w, s, APP_DOCS);
	if (demo_chance(&w->r, 0.4) && !s->over) {
		advance(w, s, 8000);
		if (!s->over)
			track(w, s, "document_uploaded", demo_printf(&w->k, "{\"type\":\"%s\",\"pages\":%d}",
			    demo_chance(&w->r, 0.6) ? "pdf" : "docx", 1 + demo_below(&w->r, 40)));
	}
	for (int i = 0; i < n; i++) {
		int d = demo_below(&w->r, NELEM(documents));
		int m = demo_pick(&w->r, model_w, 2) == 0 ? m_sum : m_chat_small;
		const char *trace;
		struct llm_span *sp;

		advance(w, s, 15000);
		if (s->over)
			return;
		trace = new_hex(w, 't', "", 32);
		sp = call(w, s, trace, NULL, "summarise", "summarise", m, 2600, s->t,
		    demo_printf(&w->k, "Summarise the document '%s' in five bullet points for a busy reader.",
		    documents[d].title), documents[d].summary);
		if (sp == NULL)
			return;
		s->t = sp->end_ms;
		w->st.traces++;
		if (demo_chance(&w->r, 0.12))
			vote(w, s, trace, NULL, NULL, 0.75);
	}
}

/* Searches: a trace whose root span holds a query rewrite and an answer. */
static void
search(struct week *w, struct visit *s)
{
	int n = 1 + demo_below(&w->r, 2);

	page_next(w, s, APP_SEARCH);
	for (int i = 0; i < n; i++) {
		const char *q = searches[demo_below(&w->r, NELEM(searches))];
		const char *trace, *root_id;
		struct llm_span *root, *a, *b = NULL;
		int64_t start;

		advance(w, s, 10000);
		if (s->over)
			return;
		track(w, s, "search_performed", demo_printf(&w->k, "{\"query\":\"%s\",\"results\":%d}",
		    q, demo_below(&w->r, 25)));
		trace = new_hex(w, 't', "", 32);
		root_id = new_hex(w, 'p', "", 16);
		start = s->t + 20;
		root = demo_sink_span(&w->k);   /* a plain span: its end is known last */
		root->trace_id = trace;
		root->span_id = root_id;
		root->name = "search";
		root->feature = "search";
		root->user_id = s->user;
		root->session_id = s->session;
		root->input = q;
		root->start_ms = start;
		a = call(w, s, trace, root_id, "search.rewrite", "search", m_rewrite, 250, start + 5,
		    demo_printf(&w->k, "Rewrite as a query for the semantic index: %s", q), q);
		if (a != NULL && a->status == LLM_OK)
			b = call(w, s, trace, root_id, "search.answer", "search", m_chat_small, 1800,
			    a->end_ms + 150, demo_printf(&w->k, "Answer from the passages found for: %s", q),
			    "Here are the three most relevant documents, with the passages that answer it.");
		root->end_ms = (b ? b->end_ms : a ? a->end_ms : start) + 30;
		if (root->end_ms > w->end_ms)
			root->end_ms = w->end_ms;
		root->latency_ms = (double)(root->end_ms - root->start_ms);
		if (a != NULL && a->status == LLM_ERROR) {
			root->status = LLM_ERROR;
			root->error = a->error;
		}
		s->t = root->end_ms;
		w->st.traces++;
		if (s->over)
			return;
	}
}

/* What someone with an account does in the app: one to three features. */
static void
use_app(struct week *w, struct visit *s)
{
	int c = demo_chance(&w->r, 0.7), d = demo_chance(&w->r, 0.35), q = demo_chance(&w->r, 0.3);

	if (!c && !d && !q)
		c = 1;
	if (c && !s->over)
		chat(w, s);
	if (d && !s->over)
		summarise(w, s);
	if (q && !s->over)
		search(w, s);
}

/* ---- the funnel ---- */

static void
purchase(struct week *w, struct visit *s)
{
	struct visitor *v = s->v;
	int eur = demo_chance(&w->r, 0.3), yearly = demo_chance(&w->r, 0.2);
	int amount = (eur ? plans[v->plan].eur : plans[v->plan].usd) * (yearly ? 10 : 1);
	const char *shop = eur ? "shop-eu" : demo_chance(&w->r, 0.35) ? "shop-us" : NULL;
	struct event *e;

	page_next(w, s, PRICING);
	page_next(w, s, CHECKOUT);
	advance(w, s, 45000);
	if (s->over)
		return;
	e = track(w, s, "purchase", demo_printf(&w->k, "{\"plan\":\"%s\",\"amount\":%d.00,"
	    "\"currency\":\"%s\",\"interval\":\"%s\",\"orderId\":\"%s\"}", plans[v->plan].name, amount,
	    eur ? "EUR" : "USD", yearly ? "year" : "month", new_hex(w, 'o', "ord_", 10)));
	e->shop_id = shop;
	identify(w, s, demo_printf(&w->k, "{\"plan\":\"%s\"}", plans[v->plan].name));
	v->stage = PAYING;
	w->st.purchases++;
	if (eur)
		w->st.revenue_eur += amount;
	else
		w->st.revenue_usd += amount;
}

static void
start_trial(struct week *w, struct visit *s)
{
	advance(w, s, 8000);
	if (s->over)
		return;
	track(w, s, "trial_started", demo_printf(&w->k, "{\"plan\":\"%s\",\"trialDays\":14}",
	    plans[s->v->plan].name));
	s->v->stage = TRIAL;
	w->st.trials++;
}

/* The confirmation link of the signup mail: the account is usable, the trial offered. */
static void
complete_signup(struct week *w, struct visit *s)
{
	advance(w, s, 60000);
	if (s->over)
		return;
	track(w, s, "signup", demo_printf(&w->k, "{\"method\":\"%s\",\"plan\":\"free\"}",
	    demo_chance(&w->r, 0.7) ? "email" : "google"));
	s->v->stage = SIGNED_UP;
	w->st.signups++;
	page_next(w, s, WELCOME);
	if (demo_chance(&w->r, 0.62))
		start_trial(w, s);
	if (demo_chance(&w->r, 0.55) && !s->over)
		use_app(w, s);
	if (s->v->stage == TRIAL && demo_chance(&w->r, 0.05) && !s->over)
		purchase(w, s);
}

/*
 * The signup form. Its first step asks for the email and makes the
 * account, so the visitor is identified from signup_started on and every
 * step of the funnel carries the same userId (funnels count by user).
 */
static int
signup_form(struct week *w, struct visit *s, const char *source)
{
	struct visitor *m;

	if (!demo_chance(&w->r, 0.5))
		return 0;               /* looked at the form, left it */
	advance(w, s, 40000);
	if (s->over)
		return 0;
	if ((m = member_add(w, s->v, s->t)) == NULL)
		return -1;
	s->v = m;
	s->user = demo_printf(&w->k, "%s", m->user);
	m->stage = STARTED;
	m->identified = 1;
	identify(w, s, profile_traits(w, m, "free"));
	track(w, s, "signup_started", demo_printf(&w->k, "{\"source\":\"%s\"}", source));
	w->st.started++;
	if (demo_chance(&w->r, 0.6))
		complete_signup(w, s);
	return 0;
}

/* ---- visits ---- */

static const char *const source_names[NSOURCES] = { "search", "news", "social", "newsletter", "direct" };

/* The newsletter goes out on Tuesdays at 08:00 UTC: the last issue at or before t. */
static int64_t
newsletter_issue(int64_t t)
{
	int64_t day = t / DEMO_DAY_MS * DEMO_DAY_MS;
	int64_t issue = day - (int64_t)((demo_weekday(t) + 6) % 7) * DEMO_DAY_MS + 8 * DEMO_HOUR_MS;
	return issue > t ? issue - 7 * DEMO_DAY_MS : issue;
}

static int
choose_source(struct week *w, const struct visitor *v, int64_t t)
{
	/* SEARCH NEWS SOCIAL NEWSLETTER DIRECT */
	static const double first[NSOURCES] = { 48, 10, 8, 4, 20 };
	static const double again[NSOURCES] = { 25, 5, 5, 10, 40 };
	static const double member[NSOURCES] = { 8, 0, 2, 10, 80 };
	double wt[NSOURCES];
	int fresh = t - newsletter_issue(t) < DEMO_DAY_MS;   /* the day after an issue */

	memcpy(wt, v->stage >= SIGNED_UP ? member : v->visits ? again : first, sizeof(wt));
	if (fresh)
		wt[S_NEWSLETTER] += 28;
	return demo_pick(&w->r, wt, NSOURCES);
}

/* The first page of a visit from source: the page, its query and referrer, the campaign. */
static int
land(struct week *w, struct visit *s, int source, int member)
{
	int page;
	const char *query = "", *referrer = "", *campaign = NULL;

	if (source == S_NEWSLETTER) {
		int64_t issue = newsletter_issue(s->t);
		char date[32];
		ts_format_iso(issue, date);
		date[10] = '\0';
		campaign = demo_printf(&w->k, "weekly-%s", date);
		query = demo_printf(&w->k, "?utm_source=newsletter&utm_medium=email&utm_campaign=%s", campaign);
		/* each issue features one post */
		page = demo_chance(&w->r, 0.9) ? BLOG_SOURCES + (int)((issue / (7 * DEMO_DAY_MS)) % 3) : PRICING;
	} else {
		if (source == S_SEARCH)
			referrer = search_engines[demo_below(&w->r, NELEM(search_engines))];
		else if (source == S_NEWS)
			referrer = news_sites[demo_below(&w->r, NELEM(news_sites))];
		else if (source == S_SOCIAL)
			referrer = social_sites[demo_below(&w->r, NELEM(social_sites))];
		page = member && source == S_DIRECT ? APP : demo_pick(&w->r, landing[source], NMARKETING);
	}
	page_view(w, s, page, query, referrer, campaign);
	return page;
}

/* Someone without an account: the public site, maybe the signup form. */
static int
browse(struct week *w, struct visit *s, int source)
{
	int page = land(w, s, source, 0), n = 1;

	if (!demo_chance(&w->r, 0.42))  /* the rest bounce */
		for (n = 2; n < MAX_PAGES && demo_chance(&w->r, 0.62); n++)
			;
	for (int i = 1; !s->over; i++) {
		if (page == SIGNUP)
			return signup_form(w, s, source_names[source]);
		if (i >= n)
			break;
		page = demo_pick(&w->r, next_page[page], NMARKETING);
		page_next(w, s, page);
	}
	return 0;
}

/* Someone with an account back in the app. */
static void
app_visit(struct week *w, struct visit *s, int source)
{
	struct visitor *v = s->v;

	if (v->stage == STARTED) {
		/* back from the confirmation mail */
		page_view(w, s, SIGNUP, "?step=confirm", "", NULL);
		if (demo_chance(&w->r, 0.35))
			complete_signup(w, s);
		return;
	}
	if (land(w, s, source, 1) != APP)
		page_next(w, s, APP);
	if (!v->identified) {           /* the app identifies on load */
		identify(w, s, profile_traits(w, v, v->stage == PAYING ? plans[v->plan].name : "free"));
		v->identified = 1;
	}
	if (v->stage == SIGNED_UP && demo_chance(&w->r, 0.2))
		start_trial(w, s);
	if (v->stage == TRIAL && demo_chance(&w->r, 0.28) && !s->over)
		purchase(w, s);
	if (!s->over)
		use_app(w, s);
	if (demo_chance(&w->r, 0.06) && !s->over)
		track(w, s, "invite_sent", "{\"role\":\"member\"}");
	if (demo_chance(&w->r, 0.04) && !s->over)
		track(w, s, "report_exported", "{\"format\":\"pdf\"}");
}

static int
visit(struct week *w, struct visitor *v, int64_t t)
{
	struct visit s;
	int source = choose_source(w, v, t), rc = 0;

	memset(&s, 0, sizeof(s));
	s.v = v;
	s.t = t;
	s.page = -1;
	s.anon = demo_printf(&w->k, "%s", v->anon);
	s.user = v->user[0] ? demo_printf(&w->k, "%s", v->user) : NULL;
	s.session = new_hex(w, 's', "ses_", 16);
	s.ua = agents[v->ua].ua;
	s.locale = locales[v->locale].locale;
	w->st.visits++;
	if (v->visits == 0)
		w->st.visitors++;
	else
		w->st.returning++;
	if (v->stage == VISITOR)
		rc = browse(w, &s, source);
	else
		app_visit(w, &s, source);
	s.v->visits++;                  /* s.v: an account may have been made */
	s.v->busy_until = s.t;
	return rc;
}

/* Customers from before the range: they use the app from the first day. */
static int
existing_customers(struct week *w, int n)
{
	for (int i = 0; i < n; i++) {
		struct visitor v, *m;
		visitor_init(w, &v);
		if ((m = member_add(w, &v, w->o->start_ms - demo_spread(&w->r, 120 * DEMO_DAY_MS))) == NULL)
			return -1;
		m->stage = PAYING;
	}
	return 0;
}

static void
summary(const struct week *w, const struct project *p, double secs)
{
	const struct stats *st = &w->st;
	const struct demo_sink *k = &w->k;
	char from[32], to[32];

	ts_format_iso(k->first_ms, from);
	ts_format_iso(k->last_ms, to);
	printf("demo-data: %d days of the Lumen demo for project %s, %s .. %s (seed %" PRIu64 ")\n",
	    w->o->days, p->slug, from, to, w->o->seed);
	printf("  visitors     %" PRId64 " (%" PRId64 " visits, %" PRId64 " by returning visitors)\n",
	    st->visitors, st->visits, st->returning);
	printf("  page views   %" PRId64 "\n", st->pageviews);
	printf("  funnel       %" PRId64 " signup_started, %" PRId64 " signup, %" PRId64 " trial_started, "
	    "%" PRId64 " purchase (%" PRId64 " USD, %" PRId64 " EUR)\n", st->started, st->signups,
	    st->trials, st->purchases, st->revenue_usd, st->revenue_eur);
	printf("  identify     %" PRId64 "\n", st->identifies);
	printf("  LLM calls    %" PRId64 " in %" PRId64 " traces, %" PRId64 " chat conversations\n",
	    k->calls, st->traces, st->conversations);
	printf("  votes        %" PRId64 " (%" PRId64 " up, %" PRId64 " down)\n",
	    st->votes_up + st->votes_down, st->votes_up, st->votes_down);
	printf("  stored       %" PRId64 " events, %" PRId64 " spans, %" PRId64 " votes in %.1f s",
	    k->events, k->spans_stored, k->votes_stored, secs);
	if (k->events_dup + k->spans_dup + k->votes_dup > 0)
		printf(" (already there: %" PRId64 " events, %" PRId64 " spans, %" PRId64 " votes)",
		    k->events_dup, k->spans_dup, k->votes_dup);
	printf("\n");
}

int
demo_week_run(struct store *st, const struct project *p, const struct demo_opts *o)
{
	struct week w;
	struct demo_clock clock = { 0 };
	int64_t visits, t0 = util_mono_us();
	int rc = 1;

	memset(&w, 0, sizeof(w));
	w.o = o;
	w.end_ms = o->end_ms;
	demo_rng_seed(&w.r, o->seed);
	demo_ids_init(&w.ids, o->seed, o->end_ms);
	m_chat_small = demo_model_index("gpt-4o-mini");
	m_chat_large = demo_model_index("claude-3-5-sonnet-20241022");
	m_chat_top = demo_model_index("gpt-4o");
	m_sum = demo_model_index("claude-3-5-haiku-20241022");
	m_rewrite = demo_model_index("gemini-2.0-flash");
	assert(m_chat_small >= 0 && m_chat_large >= 0 && m_chat_top >= 0 && m_sum >= 0 && m_rewrite >= 0);
	if (demo_sink_init(&w.k, st, p->id, 8192, 4096, 2048, 24u << 20) != 0)
		return 1;
	if ((w.ring = calloc(RING, sizeof(*w.ring))) == NULL || demo_clock_init(&clock, o->start_ms, o->end_ms) != 0 ||
	    existing_customers(&w, 30 + 4 * (o->days < 500 ? o->days : 500)) != 0) {
		fprintf(stderr, "tallyctl: demo-data: out of memory\n");
		goto out;
	}
	visits = (int64_t)((double)o->days * VISITS_PER_DAY * (0.9 + 0.2 * demo_unit(&w.r)));
	for (int64_t i = 0; i < visits; i++) {
		/* visits in time order, each at its share of the day's and week's traffic */
		int64_t t = demo_clock_at(&clock, ((double)i + demo_unit(&w.r)) / (double)visits);
		size_t nev, nsp, nvo;

		if (demo_sink_room(&w.k, VISIT_EVENTS, VISIT_SPANS, VISIT_VOTES, VISIT_BYTES) != 0)
			goto out;
		nev = w.k.nev;
		nsp = w.k.nsp;
		nvo = w.k.nvo;
		if (visit(&w, choose_visitor(&w, t), t) != 0) {
			fprintf(stderr, "tallyctl: demo-data: out of memory\n");
			goto out;
		}
		assert(w.k.nev - nev <= VISIT_EVENTS && w.k.nsp - nsp <= VISIT_SPANS &&
		    w.k.nvo - nvo <= VISIT_VOTES);
	}
	if (demo_sink_flush(&w.k) != 0)
		goto out;
	summary(&w, p, demo_seconds(t0));
	rc = 0;
out:
	demo_clock_free(&clock);
	demo_sink_free(&w.k);
	free(w.ring);
	free(w.members);
	return rc;
}
