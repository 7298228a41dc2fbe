/* tallyctl migrate / init. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

int
cli_migrate(struct cli *c, int argc, char **argv)
{
	char err[512];
	int applied, current, latest;

	(void)argc;
	(void)argv;
	if (store_migrate(c->store, &applied, err, sizeof(err)) != 0) {
		fprintf(stderr, "tallyctl: %s\n", err);
		return 1;
	}
	if (store_schema_version(c->store, &current, &latest) != 0)
		return 1;
	printf("schema at version %d (%d applied now)\n", current, applied);
	return 0;
}

/* A 256-bit random HS256 secret, created 0600 and never overwritten. */
static int
create_jwt_secret(const char *path)
{
	unsigned char raw[32];
	char hex[65];
	int fd;

	if (*path == '\0' || access(path, F_OK) == 0)
		return 0;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0) {
		fprintf(stderr, "tallyctl: jwt_secret_file %s: %s\n", path, strerror(errno));
		return -1;
	}
	util_random(raw, sizeof(raw));
	util_hex_encode(raw, sizeof(raw), hex);
	if (write(fd, hex, 64) != 64 || close(fd) != 0) {
		fprintf(stderr, "tallyctl: jwt_secret_file %s: %s\n", path, strerror(errno));
		return -1;
	}
	printf("created %s (mode 0600)\n", path);
	return 0;
}

int
cli_init(struct cli *c, int argc, char **argv)
{
	int rc = cli_migrate(c, argc, argv);
	if (rc != 0)
		return rc;
	return create_jwt_secret(c->cfg.jwt_secret_file) == 0 ? 0 : 1;
}
