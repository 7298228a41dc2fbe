/*
 * login_guard: brute-force protection of POST /api/v1/auth/login (docs/auth.md).
 * Failures are counted per email and per client address in the store, so
 * every worker sees them. Past a number of free failures, each further one
 * doubles a wait (1 s, 2 s, 4 s … 15 min) from the last failure during
 * which logins of that scope are refused without checking the password.
 */
#ifndef TALLY_LOGIN_GUARD_H
#define TALLY_LOGIN_GUARD_H

#include <stdint.h>

#include "account_fields.h"

struct store;

#define LOGIN_RUN_MS (15 * 60 * 1000)  /* a failure this long after the last one starts afresh */
#define LOGIN_WAIT_MAX_MS (15 * 60 * 1000)

/* The two scopes of one login attempt. */
struct login_scopes {
	char email[7 + 64 + 1];         /* "email:" + SHA-256 hex: no address kept in clear */
	char ip[3 + 64];                /* "ip:" + the client address */
	int64_t max_email, max_ip;
};

/* The wait after `failures` failures of which `max` are free; 0 below. */
int64_t login_wait_ms(int64_t failures, int64_t max);

void login_scopes_init(struct login_scopes *s, const char *email, const char *ip,
    int64_t max_email, int64_t max_ip);

/*
 * Before the password is hashed: counts the try as a failure of the email
 * and of the address at once, so parallel tries cannot all pass one check.
 * 0: go on (a failed password then needs nothing more); else ms to wait
 * (the try is refused, 429); -1 when the store fails.
 */
int64_t login_guard_claim(struct store *st, const struct login_scopes *s, int64_t now_ms);
/*
 * The password held: the email's run ends, and the address's claim is
 * given back (its earlier failures stay, so one good account does not
 * let an address try others freely).
 */
int login_guard_passed(struct store *st, const struct login_scopes *s);

#endif
