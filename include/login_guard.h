/*
 * login_guard: brute-force protection of POST /api/v1/auth/login (docs/auth.md).
 * Failures are counted in the store, so every worker sees them, in three
 * scopes: the email from this client address, the client address, and the
 * email from anywhere (ten times as many free failures, a brake on guessing
 * from many addresses that one address cannot pull by itself). Past a
 * scope's free failures, each further one doubles a wait (1 s, 2 s, 4 s …
 * 15 min) from the last failure during which logins of that scope are
 * refused without checking the password.
 */
#ifndef TALLY_LOGIN_GUARD_H
#define TALLY_LOGIN_GUARD_H

#include <stdint.h>

#include "account_fields.h"

struct store;

#define LOGIN_RUN_MS (15 * 60 * 1000)  /* a failure this long after the last one starts afresh */
#define LOGIN_WAIT_MAX_MS (15 * 60 * 1000)

#define LOGIN_ACCOUNT_FACTOR 10  /* the email from anywhere: 10 × login_max_failures free */

enum { LOGIN_PAIR, LOGIN_ADDRESS, LOGIN_ACCOUNT, LOGIN_SCOPES };

struct login_scope {
	char name[160];                 /* "pair:<sha256 of email>:<address>", "ip:…", "email:…" */
	int64_t max;                    /* free failures */
	int64_t seen, seen_last;        /* what the claim read: the run's failures, the last one's time */
	int claimed;
};

/* The scopes of one login attempt. */
struct login_scopes {
	struct login_scope scope[LOGIN_SCOPES];
};

/* The wait after `failures` failures of which `max` are free; 0 below. */
int64_t login_wait_ms(int64_t failures, int64_t max);

void login_scopes_init(struct login_scopes *s, const char *email, const char *ip,
    int64_t max_email, int64_t max_ip);

/*
 * Before the password is hashed: counts the try as a failure of every scope
 * at once, so parallel tries cannot all pass one check. 0: go on (a wrong
 * password then needs nothing more); else ms to wait (the try is refused,
 * 429, and counts nowhere); -1 when the store fails.
 */
int64_t login_guard_claim(struct store *st, struct login_scopes *s, int64_t now_ms);
/*
 * The password held: the pair's run ends, and the address's and the
 * account's claims are given back (their earlier failures stay, so one
 * good account does not let an address try others freely).
 */
int login_guard_passed(struct store *st, struct login_scopes *s);

#endif
