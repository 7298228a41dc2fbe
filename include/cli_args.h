/* cli_args: the flags both programs share (--config FILE and --KEY VALUE for any config key). */
#ifndef TALLY_CLI_ARGS_H
#define TALLY_CLI_ARGS_H

#include "cfg.h"

/*
 * Loads the configuration (file, environment), then applies --key value /
 * --key=value flags for config keys ("--workers 4", "--database=/x.db";
 * dashes in a flag are underscores in the key). Stops at the first
 * argument that is not a flag; *next is its index. Returns 0 or -1 with err.
 */
int cli_load_config(struct cfg *c, int argc, char **argv, int *next, char *err, size_t errlen);

#endif
