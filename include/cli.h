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

/* Finds a project by slug or prints why not; 0 or 1. */
int cli_find_project(struct cli *c, const char *slug, struct project *p);

#endif
