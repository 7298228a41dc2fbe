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

/* ms left of the scope's wait at now_ms; 0 when none, -1 on failure. */
static int64_t
wait_left(struct store *st, const char *scope, int64_t max, int64_t now_ms)
{
	int64_t failures, last, until;

	if (store_login_failures(st, scope, &failures, &last) != 0)
		return -1;
	if (failures == 0 || now_ms - last >= LOGIN_RUN_MS)
		return 0;
	until = last + login_wait_ms(failures, max);
	return until > now_ms ? until - now_ms : 0;
}

int64_t
login_guard_check(struct store *st, const struct login_scopes *s, int64_t now_ms)
{
	int64_t a = wait_left(st, s->email, s->max_email, now_ms);
	int64_t b = wait_left(st, s->ip, s->max_ip, now_ms);

	if (a < 0 || b < 0)
		return -1;
	return a > b ? a : b;
}

int64_t
login_guard_failed(struct store *st, const struct login_scopes *s, int64_t now_ms)
{
	int64_t fe, fi, a, b;

	if (store_login_failure_add(st, s->email, now_ms, now_ms - LOGIN_RUN_MS, &fe) != 0 ||
	    store_login_failure_add(st, s->ip, now_ms, now_ms - LOGIN_RUN_MS, &fi) != 0)
		return -1;
	a = login_wait_ms(fe, s->max_email);
	b = login_wait_ms(fi, s->max_ip);
	return a > b ? a : b;
}

int
login_guard_passed(struct store *st, const struct login_scopes *s)
{
	return store_login_failures_clear(st, s->email);
}
