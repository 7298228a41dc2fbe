/*
 * tallyctl account create | member list|add|remove: accounts without the
 * signup endpoint (signup = off), and who may do what in a project.
 */
#include <stdio.h>
#include <string.h>

#include "account_fields.h"
#include "cli.h"
#include "password.h"
#include "timestamp.h"
#include "util.h"

/* The first line of stdin (or of the file), without its newline: 0, or -1 with the reason printed. */
static int
read_password(const char *file, char *pw, size_t pwsz)
{
	FILE *f = file ? fopen(file, "r") : stdin;
	size_t n;

	if (f == NULL) {
		perror(file);
		return -1;
	}
	if (fgets(pw, (int)pwsz, f) == NULL)
		pw[0] = '\0';
	if (f != stdin)
		fclose(f);
	n = strcspn(pw, "\r\n");
	if (pw[n] == '\0' && n == pwsz - 1) {
		fprintf(stderr, "tallyctl: the password is longer than %d bytes\n", PASSWORD_MAX_BYTES);
		return -1;
	}
	pw[n] = '\0';
	return 0;
}

static int
account_create(struct cli *c, int argc, char **argv)
{
	const char *file = NULL, *why;
	const struct cli_flag flags[] = { { "password-file", &file, NULL } };
	char email[EMAIL_MAX + 1], pw[PASSWORD_MAX_BYTES + 2], hash[256];
	struct account a;
	char *pos[1];
	int npos, rc;

	if (cli_parse_flags(argc, argv, flags, 1, pos, 1, &npos) != 0 || npos != 1) {
		fprintf(stderr, "usage: tallyctl account create EMAIL [--password-file FILE]  "
		    "(else the password is the first line of stdin)\n");
		return 2;
	}
	if (email_normalize(pos[0], email) != 0) {
		fprintf(stderr, "tallyctl: '%s' is not an email address\n", pos[0]);
		return 2;
	}
	if (read_password(file, pw, sizeof(pw)) != 0)
		return 2;
	if (password_check_policy(pw, strlen(pw), &why) != 0) {
		fprintf(stderr, "tallyctl: %s\n", why);
		return 2;
	}
	rc = password_hash(pw, strlen(pw), hash, sizeof(hash));
	explicit_bzero(pw, sizeof(pw));
	if (rc != 0) {
		fprintf(stderr, "tallyctl: the password could not be hashed\n");
		return 1;
	}
	if ((rc = store_account_create(c->store, email, hash, &a)) == 1) {
		fprintf(stderr, "tallyctl: an account with email %s exists already\n", email);
		return 1;
	}
	if (rc != 0)
		return 1;
	printf("%lld\n", (long long)a.id);
	fprintf(stderr, "created account %s (id %lld)\n", a.email, (long long)a.id);
	return 0;
}

int
cli_account(struct cli *c, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "create") == 0)
		return account_create(c, argc - 1, argv + 1);
	fprintf(stderr, "usage: tallyctl account create EMAIL [--password-file FILE]\n");
	return 2;
}

static int
print_member(void *ctx, const struct member *m)
{
	char created[32];
	(void)ctx;
	ts_format_iso(m->created_ms, created);
	printf("%-8lld %-7s %-24s %s\n", (long long)m->account_id, role_name(m->role), created, m->email);
	return 0;
}

int
cli_member(struct cli *c, int argc, char **argv)
{
	char email[EMAIL_MAX + 1];
	struct project p;
	struct account a;
	int rc, role = ROLE_NONE;

	if (argc == 2 && strcmp(argv[0], "list") == 0) {
		if (cli_find_project(c, argv[1], &p) != 0)
			return 1;
		printf("%-8s %-7s %-24s %s\n", "ACCOUNT", "ROLE", "SINCE", "EMAIL");
		return store_members_list(c->store, p.id, print_member, NULL) == 0 ? 0 : 1;
	}
	if (!((argc == 4 && strcmp(argv[0], "add") == 0 && (role = role_parse(argv[3])) != ROLE_NONE) ||
	    (argc == 3 && strcmp(argv[0], "remove") == 0))) {
		fprintf(stderr, "usage: tallyctl member list PROJECT | member add PROJECT EMAIL owner|admin|viewer"
		    " | member remove PROJECT EMAIL\n");
		return 2;
	}
	if (cli_find_project(c, argv[1], &p) != 0)
		return 1;
	if (email_normalize(argv[2], email) != 0 ||
	    (rc = store_account_by_email(c->store, email, &a, NULL, 0)) == 1) {
		fprintf(stderr, "tallyctl: no account with email %s (tallyctl account create)\n", argv[2]);
		return 1;
	}
	if (rc != 0)
		return 1;
	rc = role != ROLE_NONE ? store_member_set(c->store, p.id, a.id, role)
	    : store_member_remove(c->store, p.id, a.id);
	if (rc == 1)
		fprintf(stderr, "tallyctl: %s is not a member of %s\n", a.email, p.slug);
	else if (rc == 2)
		fprintf(stderr, "tallyctl: %s is the last owner of %s: make another member owner first\n",
		    a.email, p.slug);
	else if (rc == 0 && role != ROLE_NONE)
		fprintf(stderr, "%s is %s of %s\n", a.email, role_name(role), p.slug);
	else if (rc == 0)
		fprintf(stderr, "%s is no longer a member of %s\n", a.email, p.slug);
	return rc == 0 ? 0 : 1;
}
