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

/*
 * Logins side by side all pass the read of the counts before any of them
 * has failed, and a hash takes long enough for a burst to fit in. So each
 * try is counted as a failure of both scopes before the hash: the add
 * returns the count, and one more than this try read means nobody came in
 * between (the wait that read checked holds). Otherwise other tries run
 * beside this one, and past the free failures this one is refused as if
 * they had failed (its count stays, as a failure).
 */
static int64_t
claim(struct store *st, const char *scope, int64_t max, int64_t now_ms)
{
	int64_t wait, before, after;

	if ((wait = wait_left(st, scope, max, now_ms, &before)) != 0)
		return wait;
	if (store_login_failure_add(st, scope, now_ms, now_ms - LOGIN_RUN_MS, &after) != 0)
		return -1;
	return after == before + 1 ? 0 : login_wait_ms(after - 1, max);
}

int64_t
login_guard_claim(struct store *st, const struct login_scopes *s, int64_t now_ms)
{
	int64_t a = claim(st, s->email, s->max_email, now_ms), b;

	if (a != 0)
		return a;
	if ((b = claim(st, s->ip, s->max_ip, now_ms)) != 0) {
		/* the address refuses: this try never reached the email's password */
		if (b > 0 && store_login_failure_undo(st, s->email) != 0)
			return -1;
		return b;
	}
	return 0;
}

int
login_guard_passed(struct store *st, const struct login_scopes *s)
{
	/* the email's run ends; the address keeps its run minus this try's claim */
	if (store_login_failures_clear(st, s->email) != 0)
		return -1;
	return store_login_failure_undo(st, s->ip);
}
