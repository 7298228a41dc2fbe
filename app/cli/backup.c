/*
 * tallyctl backup FILE [--force]: an online copy of the database while the
 * workers keep ingesting (SPEC §6; how it stays consistent: sq_backup and
 * docs/lifecycle.md). FILE is written as FILE.tmp, checked, then renamed.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"
#include "util.h"

#define USAGE "usage: tallyctl backup FILE [--force]   (--force replaces an existing FILE)\n"

int
cli_backup(struct cli *c, int argc, char **argv)
{
	int force = 0;
	const struct cli_flag flags[] = { { "force", NULL, &force } };
	struct backup_result r;
	char err[512], *pos[1];
	int npos, rc;
	int64_t t0;
	double s, mib;

	if (cli_parse_flags(argc, argv, flags, 1, pos, 1, &npos) != 0 || npos != 1) {
		fprintf(stderr, USAGE);
		return 2;
	}
	t0 = util_mono_us();
	rc = store_backup(c->store, pos[0], force, &r, err, sizeof(err));
	if (rc == 1) {
		fprintf(stderr, "tallyctl: %s exists: pass --force to replace it\n", pos[0]);
		return 1;
	}
	if (rc != 0) {
		fprintf(stderr, "tallyctl: backup failed: %s\n", err);
		return 1;
	}
	s = (double)(util_mono_us() - t0) / 1e6;
	mib = (double)(r.pages * r.page_size) / (1024.0 * 1024.0);
	printf("backup %s: %" PRId64 " pages of %" PRId64 " bytes (%" PRId64 " bytes, %.1f MiB) "
	    "in %.2f s (%.1f MiB/s); quick_check ok\n", pos[0], r.pages, r.page_size,
	    r.pages * r.page_size, mib, s, s > 0 ? mib / s : 0.0);
	return 0;
}
