#include "login_guard.h"

#include <stdio.h>
#include <string.h>

#include "store.h"
#include "util.h"

int64_t
login_wait_ms(int64_t failures, int64_t max)
{
	int64_t over = failures - max;     /* the first `max` failures are free */
	if (over <= 0)
		return 0;
	if (over > 20)
		return LOGIN_WAIT_MAX_MS;
	return (1000LL << (over - 1)) < LOGIN_WAIT_MAX_MS ? 1000LL << (over - 1) : LOGIN_WAIT_MAX_MS;
}

void
login_scopes_init(struct login_scopes *s, const char *email, const char *ip, int64_t max_email,
    int64_t max_ip)
{
	char hex[65];
	util_sha256_hex(email, strlen(email), hex);
	snprintf(s->email, sizeof(s->email), "email:%s", hex);
	snprintf(s->ip, sizeof(s->ip), "ip:%s", ip);
	s->max_email = max_email;
	s->max_ip = max_ip;
}

/*
 * ms left of the scope's wait at now_ms; 0 when none, -1 on failure. The
 * failures of the scope's current run into *seen. Within the free failures
 * there is no wait at all: a failure beside this request may be stamped
 * with a later arrival than now_ms, and must not read as a wait.
 */
static int64_t
wait_left(struct store *st, const char *scope, int64_t max, int64_t now_ms, int64_t *seen)
{
	int64_t failures, last, wait;

	*seen = 0;
	if (store_login_failures(st, scope, &failures, &last) != 0)
		return -1;
	if (failures == 0 || now_ms - last >= LOGIN_RUN_MS)
		return 0;
	*seen = failures;
	if ((wait = login_wait_ms(failures, max)) == 0)
		return 0;
	return last + wait > now_ms ? last + wait - now_ms : 0;
}

int64_t
login_guard_check(struct store *st, const struct login_scopes *s, int64_t now_ms)
{
	int64_t seen;
	int64_t a = wait_left(st, s->email, s->max_email, now_ms, &seen);
	int64_t b = wait_left(st, s->ip, s->max_ip, now_ms, &seen);

	if (a < 0 || b < 0)
		return -1;
	return a > b ? a : b;
}

/*
 * Logins side by side all pass login_guard_check before any of them has
 * failed, and a hash takes long enough for a burst to fit in: so the email's
 * failure is counted before the hash. The add returns the count: one more
 * than this attempt read means nobody came in between; otherwise another
 * attempt runs beside this one and, past the free failures, this one waits
 * as it would after that one's failure (its count stays, as a failure).
 */
int64_t
login_guard_claim(struct store *st, const struct login_scopes *s, int64_t now_ms)
{
	int64_t wait, before, after;

	if ((wait = wait_left(st, s->email, s->max_email, now_ms, &before)) != 0)
		return wait;
	if (store_login_failure_add(st, s->email, now_ms, now_ms - LOGIN_RUN_MS, &after) != 0)
		return -1;
	return after == before + 1 ? 0 : login_wait_ms(after - 1, s->max_email);
}

int64_t
login_guard_failed(struct store *st, const struct login_scopes *s, int64_t now_ms)
{
	int64_t fi;

	/* the email's failure was counted by login_guard_claim */
	if (store_login_failure_add(st, s->ip, now_ms, now_ms - LOGIN_RUN_MS, &fi) != 0)
		return -1;
	return login_wait_ms(fi, s->max_ip);
}

int
login_guard_passed(struct store *st, const struct login_scopes *s)
{
	return store_login_failures_clear(st, s->email);
}
