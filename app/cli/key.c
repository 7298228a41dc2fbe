/* tallyctl key create|list|revoke. A key is printed once and only its hash is kept. */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "cli.h"
#include "timestamp.h"
#include "util.h"

static int
print_key(void *arg, const struct api_key *k)
{
	char created[32], used[32] = "-";
	(void)arg;
	ts_format_iso(k->created_ms, created);
	if (k->last_used_ms)
		ts_format_iso(k->last_used_ms, used);
	printf("%-6lld %-16s %-7s %-15s %-8s %-24s %-24s %s\n", (long long)k->id, k->project_slug,
	    k->kind == KEY_SECRET ? "secret" : "ingest", k->prefix,
	    k->revoked_ms ? "revoked" : "active", created, used, k->name);
	return 0;
}

static int
key_create(struct cli *c, int argc, char **argv)
{
	struct project p;
	struct api_key k;
	char key[KEY_LEN + 1], prefix[KEY_PREFIX_LEN + 1], hash[65];
	const char *name = "";
	int kind;

	if (argc < 2)
		goto usage;
	if (strcmp(argv[1], "ingest") == 0)
		kind = KEY_INGEST;
	else if (strcmp(argv[1], "secret") == 0)
		kind = KEY_SECRET;
	else
		goto usage;
	if (argc == 4 && strcmp(argv[2], "--name") == 0)
		name = argv[3];
	else if (argc != 2)
		goto usage;
	if (strlen(name) >= sizeof(k.name)) {
		fprintf(stderr, "tallyctl: name longer than %zu bytes\n", sizeof(k.name) - 1);
		return 2;
	}
	if (cli_find_project(c, argv[0], &p) != 0)
		return 1;
	auth_key_generate(kind, key, prefix);
	auth_key_hash(key, hash);
	if (store_key_create(c->store, p.id, kind, name, hash, prefix, &k) != 0)
		return 1;
	printf("%s\n", key);
	fprintf(stderr, "created %s key %lld for project %s; it is shown only now: keep it safe\n",
	    kind == KEY_SECRET ? "secret" : "ingest", (long long)k.id, p.slug);
	return 0;
usage:
	fprintf(stderr, "usage: tallyctl key create PROJECT ingest|secret [--name NAME]\n");
	return 2;
}

int
cli_key(struct cli *c, int argc, char **argv)
{
	struct project p;
	int64_t id;
	int rc;

	if (argc >= 1 && strcmp(argv[0], "create") == 0)
		return key_create(c, argc - 1, argv + 1);
	if (argc >= 1 && argc <= 2 && strcmp(argv[0], "list") == 0) {
		p.id = 0;
		if (argc == 2 && cli_find_project(c, argv[1], &p) != 0)
			return 1;
		printf("%-6s %-16s %-7s %-15s %-8s %-24s %-24s %s\n", "ID", "PROJECT", "KIND",
		    "PREFIX", "STATE", "CREATED", "LAST USED", "NAME");
		return store_key_list(c->store, p.id, print_key, NULL) == 0 ? 0 : 1;
	}
	if (argc == 2 && strcmp(argv[0], "revoke") == 0) {
		if (util_parse_i64(argv[1], 1, INT64_MAX, &id) != 0) {
			fprintf(stderr, "tallyctl: key id must be a positive integer\n");
			return 2;
		}
		rc = store_key_revoke(c->store, 0, id);
		if (rc == 1) {
			fprintf(stderr, "tallyctl: no active key %lld\n", (long long)id);
			return 1;
		}
		if (rc != 0)
			return 1;
		fprintf(stderr, "revoked key %lld: refused from the next request on\n", (long long)id);
		return 0;
	}
	fprintf(stderr, "usage: tallyctl key create PROJECT ingest|secret [--name NAME] | "
	    "key list [PROJECT] | key revoke ID\n");
	return 2;
}
