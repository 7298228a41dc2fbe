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

	memset(s, 0, sizeof(*s));
	util_sha256_hex(email, strlen(email), hex);
	snprintf(s->scope[LOGIN_PAIR].name, sizeof(s->scope[0].name), "pair:%s:%s", hex, ip);
	snprintf(s->scope[LOGIN_ADDRESS].name, sizeof(s->scope[0].name), "ip:%s", ip);
	snprintf(s->scope[LOGIN_ACCOUNT].name, sizeof(s->scope[0].name), "email:%s", hex);
	s->scope[LOGIN_PAIR].max = max_email;
	s->scope[LOGIN_ADDRESS].max = max_ip;
	s->scope[LOGIN_ACCOUNT].max = max_email * LOGIN_ACCOUNT_FACTOR;
}

/*
 * ms left of the scope's wait at now_ms; 0 when none, -1 on failure. The
 * failures of the scope's current run and the last one's time into *sc.
 * Within the free failures there is no wait at all: a failure beside this
 * request may be stamped with a later arrival than now_ms, and must not
 * read as a wait.
 */
static int64_t
wait_left(struct store *st, struct login_scope *sc, int64_t now_ms)
{
	int64_t failures, last, wait;

	sc->seen = sc->seen_last = 0;
	if (store_login_failures(st, sc->name, &failures, &last) != 0)
		return -1;
	if (failures == 0 || now_ms - last >= LOGIN_RUN_MS)
		return 0;
	sc->seen = failures;
	sc->seen_last = last;
	if ((wait = login_wait_ms(failures, sc->max)) == 0)
		return 0;
	return last + wait > now_ms ? last + wait - now_ms : 0;
}

/*
 * Logins side by side all pass the read of the counts before any of them
 * has failed, and a hash takes long enough for a burst to fit in. So each
 * try is counted as a failure before the hash: the add returns the count,
 * and one more than this try read means nobody came in between (the wait
 * that read checked holds). Otherwise other tries run beside this one, and
 * past the free failures this one is refused as if they had failed (its
 * count stays, as a failure).
 */
static int64_t
claim(struct store *st, struct login_scope *sc, int64_t now_ms)
{
	int64_t wait, after;

	if ((wait = wait_left(st, sc, now_ms)) != 0)
		return wait;
	if (store_login_failure_add(st, sc->name, now_ms, now_ms - LOGIN_RUN_MS, &after) != 0)
		return -1;
	sc->claimed = 1;
	return after == sc->seen + 1 ? 0 : login_wait_ms(after - 1, sc->max);
}

/* Gives a scope's claim back: one failure fewer, the last one's time as it was. */
static int
release(struct store *st, struct login_scopes *s, int which)
{
	struct login_scope *sc = &s->scope[which];
	return sc->claimed ? store_login_failure_undo(st, sc->name, sc->seen_last) : 0;
}

int64_t
login_guard_claim(struct store *st, struct login_scopes *s, int64_t now_ms)
{
	for (int i = 0; i < LOGIN_SCOPES; i++) {
		int64_t wait = claim(st, &s->scope[i], now_ms);
		if (wait == 0)
			continue;
		/* refused: the scopes claimed before this one never saw a password tried */
		for (int j = 0; j < i; j++)
			if (release(st, s, j) != 0)
				return -1;
		return wait;
	}
	return 0;
}

int
login_guard_passed(struct store *st, struct login_scopes *s)
{
	/* the pair's run ends; the address and the account keep theirs, minus this try */
	if (store_login_failures_clear(st, s->scope[LOGIN_PAIR].name) != 0 ||
	    release(st, s, LOGIN_ADDRESS) != 0 || release(st, s, LOGIN_ACCOUNT) != 0)
		return -1;
	return 0;
}
