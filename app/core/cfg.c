/* cfg: one table of keys drives the file, the environment and the flags. */
#include "cfg.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

enum cfg_type { T_STR, T_INT, T_BOOL, T_ENUM };

struct cfg_key {
	const char *name;
	enum cfg_type type;
	size_t off;
	size_t size;            /* T_STR: buffer size */
	int64_t min, max;       /* T_INT */
	const char *const *names; /* T_ENUM: index = value */
};

static const char *const level_names[] = { "debug", "info", "warn", "error", NULL };
static const char *const sync_names[] = { "off", "normal", "full", NULL };

#define S(k) #k, T_STR, offsetof(struct cfg, k), sizeof(((struct cfg *)0)->k), 0, 0, NULL
#define I(k, lo, hi) #k, T_INT, offsetof(struct cfg, k), 0, lo, hi, NULL
#define B(k) #k, T_BOOL, offsetof(struct cfg, k), 0, 0, 1, NULL
#define E(k, n) #k, T_ENUM, offsetof(struct cfg, k), 0, 0, 0, n

static const struct cfg_key keys[] = {
	{ S(database) },
	{ S(jwt_secret_file) },
	{ S(jwt_public_key_file) },
	{ S(jwt_issuer) },
	{ S(jwt_audience) },
	{ I(jwt_ttl, 60, 30 * 86400) },
	{ E(log_level, level_names) },
	{ B(signup) },
	{ I(max_body_bytes, 1024, 64 << 20) },
	{ I(max_otlp_bytes, 1024, 256 << 20) },
	{ I(max_event_bytes, 256, 1 << 20) },
	{ I(max_batch_events, 1, 100000) },
	{ I(dedup_window_days, 0, 3650) },
	{ I(retention_days, 0, 36500) },
	{ I(rate_limit_per_min, 0, 100000000) },
	{ I(rate_limit_per_ip_per_min, 0, 100000000) },
	{ I(rate_limit_project_per_min, 0, 100000000) },
	{ I(login_max_failures, 1, 1000000) },
	{ I(login_max_failures_per_ip, 1, 1000000) },
	{ B(ip_anonymize) },
	{ B(auto_migrate) },
	{ E(synchronous, sync_names) },
	{ I(workers, 0, 256) },
	{ I(threads, 1, 1024) },
	{ I(busy_timeout_ms, 0, 600000) },
	{ I(max_text_bytes, 0, 1 << 20) },
	{ S(stream_publish_url) },
};

void
cfg_defaults(struct cfg *c)
{
	memset(c, 0, sizeof(*c));
	util_strlcpy(c->database, "/var/lib/tally/tally.db", sizeof(c->database));
	util_strlcpy(c->jwt_secret_file, "/etc/tally/jwt.secret", sizeof(c->jwt_secret_file));
	c->jwt_ttl = 12 * 3600;
	c->log_level = LOG_INFO;
	c->signup = 1;
	c->max_body_bytes = 1 << 20;
	c->max_otlp_bytes = 8 << 20;
	c->max_event_bytes = 32 << 10;
	c->max_batch_events = 2500;
	c->dedup_window_days = 7;
	c->retention_days = 0;      /* keep forever */
	c->rate_limit_per_min = 6000;
	c->rate_limit_per_ip_per_min = 600;
	c->rate_limit_project_per_min = 0;         /* no cap on the project as a whole */
	c->login_max_failures = 5;
	c->login_max_failures_per_ip = 50;
	c->ip_anonymize = 0;
	c->auto_migrate = 0;
	c->synchronous = CFG_SYNC_NORMAL;
	c->workers = 0;
	c->threads = 64;
	c->busy_timeout_ms = 5000;
	c->max_text_bytes = 8 << 10;
	util_strlcpy(c->stream_publish_url, "http://127.0.0.1:8091/_stream/pub/",
	    sizeof(c->stream_publish_url));
}

static int
parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "on", "true", "yes", "1", NULL };
	static const char *const no[] = { "off", "false", "no", "0", NULL };
	for (int i = 0; yes[i]; i++)
		if (strcmp(v, yes[i]) == 0) { *out = 1; return 0; }
	for (int i = 0; no[i]; i++)
		if (strcmp(v, no[i]) == 0) { *out = 0; return 0; }
	return -1;
}

int
cfg_set(struct cfg *c, const char *key, const char *value, const char *origin,
    char *err, size_t errlen)
{
	const struct cfg_key *k = NULL;
	char *field;
	int64_t n;
	int b;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].name, key) == 0)
			k = &keys[i];
	if (k == NULL) {
		snprintf(err, errlen, "%s: unknown key '%s'", origin, key);
		return -1;
	}
	field = (char *)c + k->off;
	switch (k->type) {
	case T_STR:
		if (util_strlcpy(field, value, k->size) >= k->size) {
			snprintf(err, errlen, "%s: value of '%s' is too long (max %zu bytes)",
			    origin, key, k->size - 1);
			return -1;
		}
		return 0;
	case T_INT:
		if (util_parse_i64(value, k->min, k->max, &n) != 0) {
			snprintf(err, errlen, "%s: '%s' must be an integer from %lld to %lld, not '%s'",
			    origin, key, (long long)k->min, (long long)k->max, value);
			return -1;
		}
		*(int64_t *)field = n;
		return 0;
	case T_BOOL:
		if (parse_bool(value, &b) != 0) {
			snprintf(err, errlen, "%s: '%s' must be on or off, not '%s'", origin, key, value);
			return -1;
		}
		*(int *)field = b;
		return 0;
	case T_ENUM:
		for (int i = 0; k->names[i]; i++)
			if (strcmp(value, k->names[i]) == 0) {
				*(int *)field = i;
				return 0;
			}
		snprintf(err, errlen, "%s: '%s' has no value '%s'", origin, key, value);
		return -1;
	}
	return -1;
}

static char *
trim(char *s)
{
	char *e;
	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
cfg_load_file(struct cfg *c, const char *path, char *err, size_t errlen)
{
	FILE *f;
	char line[2048], origin[1200];
	int lineno = 0, rc = -1;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s, *eq, *hash;
		lineno++;
		snprintf(origin, sizeof(origin), "%s:%d", path, lineno);
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "%s: line too long", origin);
			goto out;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		s = trim(line);
		if (*s == '\0')
			continue;
		if ((eq = strchr(s, '=')) == NULL) {
			snprintf(err, errlen, "%s: expected 'key = value'", origin);
			goto out;
		}
		*eq = '\0';
		if (cfg_set(c, trim(s), trim(eq + 1), origin, err, errlen) != 0)
			goto out;
	}
	rc = 0;
out:
	fclose(f);
	return rc;
}

int
cfg_load_env(struct cfg *c, char *err, size_t errlen)
{
	for (char **e = environ; *e; e++) {
		char key[64], origin[80];
		const char *eq;
		size_t n;

		if (strncmp(*e, "TALLY_", 6) != 0 || (eq = strchr(*e, '=')) == NULL)
			continue;
		n = (size_t)(eq - *e) - 6;
		if (n == 0 || n >= sizeof(key))
			continue;
		for (size_t i = 0; i < n; i++)
			key[i] = (char)tolower((unsigned char)(*e)[6 + i]);
		key[n] = '\0';
		/* TALLY_CONFIG and TALLY_URL & co. are not config keys. */
		int known = 0;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(keys[i].name, key) == 0)
				known = 1;
		if (!known)
			continue;
		snprintf(origin, sizeof(origin), "%.*s", (int)(eq - *e), *e);
		if (cfg_set(c, key, eq + 1, origin, err, errlen) != 0)
			return -1;
	}
	return 0;
}

int
cfg_load(struct cfg *c, const char *path, char *err, size_t errlen)
{
	cfg_defaults(c);
	if (path == NULL)
		path = getenv("TALLY_CONFIG");
	if (path == NULL && access("/etc/tally/tally.conf", F_OK) == 0)
		path = "/etc/tally/tally.conf";
	if (path != NULL && *path != '\0' && cfg_load_file(c, path, err, errlen) != 0)
		return -1;
	return cfg_load_env(c, err, errlen);
}
