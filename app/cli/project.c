/* tallyctl project create|list|set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "timestamp.h"
#include "util.h"

/* Slugs go into URLs and headers: lowercase letters, digits and dashes. */
static int
slug_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63 || s[0] == '-')
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

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

/*
 * project set SLUG --retention-days N|default: days of data `tallyctl
 * prune` keeps (0: forever; default: the server's retention_days).
 */
static int
project_set(struct cli *c, int argc, char **argv)
{
	const char *retention = NULL;
	const struct cli_flag flags[] = { { "retention-days", &retention, NULL } };
	struct project p;
	char *pos[1];
	int64_t days = -1;
	int npos, rc;

	if (cli_parse_flags(argc, argv, flags, 1, pos, 1, &npos) != 0 || npos != 1 ||
	    retention == NULL) {
		fprintf(stderr, "usage: tallyctl project set SLUG --retention-days N|default\n");
		return 2;
	}
	if (strcmp(retention, "default") != 0 && util_parse_i64(retention, 0, 36500, &days) != 0) {
		fprintf(stderr, "tallyctl: --retention-days must be 0..36500 (0 keeps forever) or default\n");
		return 2;
	}
	if (cli_find_project(c, pos[0], &p) != 0)
		return 1;
	if ((rc = store_project_set_retention(c->store, p.id, days)) != 0) {
		if (rc == 1)
			fprintf(stderr, "tallyctl: no project '%s'\n", pos[0]);
		return 1;
	}
	if (days < 0)
		printf("%s: retention: the server's retention_days (%lld)\n", p.slug,
		    (long long)c->cfg.retention_days);
	else if (days == 0)
		printf("%s: retention: forever\n", p.slug);
	else
		printf("%s: retention: %lld days\n", p.slug, (long long)days);
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
