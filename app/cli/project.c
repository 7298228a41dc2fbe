/* tallyctl project create|list|set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account_fields.h"
#include "cli.h"
#include "timestamp.h"
#include "util.h"

int
cli_find_project(struct cli *c, const char *slug, struct project *p)
{
	int rc = store_project_get(c->store, slug, p);
	if (rc == 1)
		fprintf(stderr, "tallyctl: no project '%s'\n", slug);
	return rc == 0 ? 0 : 1;
}

struct project_list {
	struct project *p;
	size_t n, cap;
	int failed;
};

static int
keep_project(void *arg, const struct project *p)
{
	struct project_list *l = arg;
	struct project *grown = util_grow(l->p, &l->cap, l->n, sizeof(*l->p), 16);

	if (grown == NULL) {
		l->failed = 1;
		return 1;
	}
	l->p = grown;
	l->p[l->n++] = *p;
	return 0;
}

int
cli_project_all(struct cli *c, struct project **out, size_t *n)
{
	struct project_list l;

	memset(&l, 0, sizeof(l));
	if (store_project_list(c->store, keep_project, &l) != 0 || l.failed) {
		free(l.p);
		*out = NULL;
		*n = 0;
		return -1;
	}
	*out = l.p;
	*n = l.n;
	return 0;
}

static int
print_project(void *arg, const struct project *p)
{
	char created[32];
	(void)arg;
	ts_format_iso(p->created_ms, created);
	printf("%-6lld %-24s %-24s %s\n", (long long)p->id, p->slug, created, p->name);
	return 0;
}

/* "N" within [0, max] or "default" (-1: the server's setting) into *v; 0, or -1 with the reason printed. */
static int
setting_value(const char *flag, const char *text, int64_t max, int64_t *v)
{
	if (strcmp(text, "default") == 0) {
		*v = -1;
		return 0;
	}
	if (util_parse_i64(text, 0, max, v) != 0) {
		fprintf(stderr, "tallyctl: --%s must be 0..%lld or default\n", flag, (long long)max);
		return -1;
	}
	return 0;
}

/* A setting's line: its own value or the server's; 0 reads as `zero` (forever, no limit). */
static void
print_setting(const char *what, int64_t v, int64_t server, const char *unit, const char *zero)
{
	int64_t shown = v < 0 ? server : v;
	char value[48];

	if (shown == 0)
		snprintf(value, sizeof(value), "%s", zero);
	else
		snprintf(value, sizeof(value), "%lld%s", (long long)shown, unit);
	if (v < 0)
		printf("  %-28s server default (%s)\n", what, value);
	else
		printf("  %-28s %s\n", what, value);
}

/*
 * project set SLUG [--name TEXT] [--retention-days N|default]
 * [--rate-limit-per-min N|default] [--rate-limit-per-ip-per-min N|default]
 * [--rate-limit-project-per-min N|default]: the project's own settings
 * (docs/lifecycle.md, docs/rate-limits.md); 0 days keeps data forever, a
 * 0 limit is no limit, default goes back to tally.conf.
 */
static int
project_set(struct cli *c, int argc, char **argv)
{
	const char *name = NULL, *retention = NULL, *rate_key = NULL, *rate_ip = NULL,
	    *rate_project = NULL;
	const struct cli_flag flags[] = {
		{ "name", &name, NULL },
		{ "retention-days", &retention, NULL },
		{ "rate-limit-per-min", &rate_key, NULL },
		{ "rate-limit-per-ip-per-min", &rate_ip, NULL },
		{ "rate-limit-project-per-min", &rate_project, NULL },
	};
	struct project_update u = { 0 };
	struct project p;
	char *pos[1];
	int npos, rc;

	if (cli_parse_flags(argc, argv, flags, 5, pos, 1, &npos) != 0 || npos != 1 ||
	    (!name && !retention && !rate_key && !rate_ip && !rate_project)) {
		fprintf(stderr, "usage: tallyctl project set SLUG [--name TEXT] [--retention-days N|default]\n"
		    "       [--rate-limit-per-min N|default] [--rate-limit-per-ip-per-min N|default]\n"
		    "       [--rate-limit-project-per-min N|default]\n");
		return 2;
	}
	if (name != NULL && (*name == '\0' || strlen(name) >= sizeof(p.name))) {
		fprintf(stderr, "tallyctl: --name must be 1..%zu bytes\n", sizeof(p.name) - 1);
		return 2;
	}
	u.name = name;
	if ((retention && (u.set_retention = 1) &&
	     setting_value("retention-days", retention, 36500, &u.retention_days) != 0) ||
	    (rate_key && (u.set_rate_key = 1) &&
	     setting_value("rate-limit-per-min", rate_key, 100000000, &u.rate_limit_per_min) != 0) ||
	    (rate_ip && (u.set_rate_ip = 1) &&
	     setting_value("rate-limit-per-ip-per-min", rate_ip, 100000000, &u.rate_limit_per_ip_per_min) != 0) ||
	    (rate_project && (u.set_rate_project = 1) &&
	     setting_value("rate-limit-project-per-min", rate_project, 100000000, &u.rate_limit_project_per_min) != 0))
		return 2;
	if (cli_find_project(c, pos[0], &p) != 0)
		return 1;
	if ((rc = store_project_update(c->store, p.id, &u, &p)) != 0) {
		if (rc == 1)
			fprintf(stderr, "tallyctl: no project '%s'\n", pos[0]);
		return 1;
	}
	printf("%s (%s)\n", p.slug, p.name);
	print_setting("retention", p.retention_days, c->cfg.retention_days, " days", "forever");
	print_setting("rate limit per key", p.rate_limit_per_min, c->cfg.rate_limit_per_min, "/min",
	    "no limit");
	print_setting("rate limit per key+address", p.rate_limit_per_ip_per_min,
	    c->cfg.rate_limit_per_ip_per_min, "/min", "no limit");
	print_setting("rate limit per project", p.rate_limit_project_per_min,
	    c->cfg.rate_limit_project_per_min, "/min", "no limit");
	return 0;
}

int
cli_project(struct cli *c, int argc, char **argv)
{
	struct project p;
	int rc;

	if (argc >= 2 && strcmp(argv[0], "create") == 0) {
		const char *name = argc >= 3 ? argv[2] : argv[1];
		if (!slug_ok(argv[1])) {
			fprintf(stderr, "tallyctl: slug '%s' must be 1-63 of a-z, 0-9 and '-'\n", argv[1]);
			return 2;
		}
		if (strlen(name) >= sizeof(p.name)) {
			fprintf(stderr, "tallyctl: name longer than %zu bytes\n", sizeof(p.name) - 1);
			return 2;
		}
		rc = store_project_create(c->store, argv[1], name, &p);
		if (rc == 1) {
			fprintf(stderr, "tallyctl: project '%s' exists already\n", argv[1]);
			return 1;
		}
		if (rc != 0)
			return 1;
		printf("%s\n", p.slug);
		fprintf(stderr, "created project %s (id %lld)\n", p.slug, (long long)p.id);
		return 0;
	}
	if (argc == 1 && strcmp(argv[0], "list") == 0) {
		printf("%-6s %-24s %-24s %s\n", "ID", "SLUG", "CREATED", "NAME");
		return store_project_list(c->store, print_project, NULL) == 0 ? 0 : 1;
	}
	if (argc >= 1 && strcmp(argv[0], "set") == 0)
		return project_set(c, argc - 1, argv + 1);
	fprintf(stderr, "usage: tallyctl project create SLUG [NAME] | tallyctl project list\n"
	    "       tallyctl project set SLUG --retention-days N|default\n");
	return 2;
}
