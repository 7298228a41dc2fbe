/* tallyctl: the admin CLI. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "log.h"

static const struct {
	const char *name;
	int (*run)(struct cli *, int, char **);
	const char *help;
} commands[] = {
	{ "init", cli_init, "init                         create the database (and the JWT secret) and migrate" },
	{ "migrate", cli_migrate, "migrate                      apply pending schema migrations" },
	{ "project", cli_project, "project create SLUG [NAME] | project list | project set SLUG [--name TEXT]\n"
	    "                               [--retention-days N|default] [--rate-limit-per-min N|default]\n"
	    "                               [--rate-limit-per-ip-per-min N|default] [--rate-limit-project-per-min N|default]" },
	{ "account", cli_account, "account create EMAIL [--password-file FILE]  (password: first line of stdin)" },
	{ "member", cli_member, "member list PROJECT | member add PROJECT EMAIL owner|admin|viewer | member remove PROJECT EMAIL" },
	{ "key", cli_key, "key create PROJECT ingest|secret [--name NAME] | key list [PROJECT] | key revoke ID" },
	{ "demo-data", cli_demo_data, "demo-data PROJECT [--days D] [--seed S] [--end TIME]  a realistic week: events, LLM calls, votes\n"
	    "    at volume: [--calls N [--features F] [--models M]] [--events N [--users U] [--event-names K]]" },
	{ "prices", cli_prices, "prices list|set|delete|import|export|reprice ...  model prices (USD per million tokens)" },
	{ "insights", cli_insights, "insights generate PROJECT|--all [--now TIME] | insights list PROJECT [--kind K] [--limit N]" },
	{ "export", cli_export, "export PROJECT [--from T] [--to T] [--format ndjson|csv] [--output FILE]" },
	{ "rollups", cli_rollups, "rollups rebuild PROJECT       the event rollups again from the raw events" },
	{ "prune", cli_prune, "prune PROJECT|--all [--dry-run] [--before T]  delete data past retention" },
	{ "backup", cli_backup, "backup FILE [--force]        online copy of the database, checked" },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: tallyctl [--config FILE] [--database PATH] [--KEY VALUE ...] COMMAND ...\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s\n", commands[i].help);
}

int
main(int argc, char **argv)
{
	static struct cli c;
	char err[512];
	int next, rc = 2;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (cli_load_config(&c.cfg, argc, argv, &next, err, sizeof(err)) != 0) {
		fprintf(stderr, "tallyctl: %s\n", err);
		return 2;
	}
	log_set_level(c.cfg.log_level > LOG_WARN ? c.cfg.log_level : LOG_WARN);
	if (next >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[next], commands[i].name) != 0)
			continue;
		if ((c.store = store_open(&c.cfg, STORE_CLI, err, sizeof(err))) == NULL) {
			fprintf(stderr, "tallyctl: %s\n", err);
			return 1;
		}
		rc = commands[i].run(&c, argc - next - 1, argv + next + 1);
		store_close(c.store);
		return rc;
	}
	fprintf(stderr, "tallyctl: unknown command '%s'\n", argv[next]);
	usage(stderr);
	return 2;
}
