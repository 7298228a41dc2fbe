/* cli: tallyctl commands, one file each. */
#ifndef TALLY_CLI_H
#define TALLY_CLI_H

#include "cfg.h"
#include "store.h"

struct cli {
	struct cfg cfg;
	struct store *store;    /* opened by main before the command runs */
};

/* Each returns the process exit status: 0 ok, 1 failure, 2 usage. */
int cli_migrate(struct cli *c, int argc, char **argv);
int cli_init(struct cli *c, int argc, char **argv);
int cli_project(struct cli *c, int argc, char **argv);
int cli_key(struct cli *c, int argc, char **argv);
int cli_demo_data(struct cli *c, int argc, char **argv);
int cli_prices(struct cli *c, int argc, char **argv);
int cli_insights(struct cli *c, int argc, char **argv);
int cli_account(struct cli *c, int argc, char **argv);
int cli_member(struct cli *c, int argc, char **argv);

/* Finds a project by slug or prints why not; 0 or 1. */
int cli_find_project(struct cli *c, const char *slug, struct project *p);
/*
 * Every project, in id order, as a list read first (no read stays open
 * while each is worked on). 0, or -1 with *out NULL; free(*out).
 */
int cli_project_all(struct cli *c, struct project **out, size_t *n);

/* ---- data lifecycle: export, prune, backup (docs/lifecycle.md) ---- */
int cli_export(struct cli *c, int argc, char **argv);
int cli_prune(struct cli *c, int argc, char **argv);
int cli_rollups(struct cli *c, int argc, char **argv);
int cli_backup(struct cli *c, int argc, char **argv);

/* A flag of a subcommand: valued (--name VALUE or --name=VALUE) or boolean (set). */
struct cli_flag {
	const char *name;
	const char **value;     /* valued: NULL until given */
	int *set;               /* boolean: 1 when given */
};
/*
 * Splits argv into flags (anywhere, each once; "--" ends them) and at most
 * maxpos positional arguments. 0, or -1 with the reason printed.
 */
int cli_parse_flags(int argc, char **argv, const struct cli_flag *flags, size_t nflags,
    char **pos, int maxpos, int *npos);
/* A time argument: ISO 8601 or epoch milliseconds. 0, or -1 with the reason printed. */
int cli_parse_time(const char *flag, const char *v, int64_t *ms);

#endif
