/* cfg: tally.conf + TALLY_* environment + command-line flags (SPEC §12). */
#ifndef TALLY_CFG_H
#define TALLY_CFG_H

#include <stddef.h>
#include <stdint.h>

enum cfg_sync { CFG_SYNC_OFF, CFG_SYNC_NORMAL, CFG_SYNC_FULL };
enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

struct cfg {
	char database[1024];        /* SQLite path (postgresql:// later) */
	char jwt_secret_file[1024];
	char jwt_public_key_file[1024];
	char jwt_issuer[256];
	char jwt_audience[256];
	int64_t jwt_ttl;            /* seconds */
	int log_level;              /* enum log_level */
	int signup;                 /* bool */
	int64_t max_body_bytes;     /* whole request body after gunzip */
	int64_t max_otlp_bytes;     /* the same for OTLP exports */
	int64_t max_event_bytes;    /* one message, serialized */
	int64_t max_batch_events;
	int64_t dedup_window_days;
	int64_t retention_days;
	int64_t rate_limit_per_min;         /* per API key (0: none) */
	int64_t rate_limit_per_ip_per_min;  /* per ingest key and client address */
	int64_t rate_limit_project_per_min; /* per project, every caller together */
	int64_t login_max_failures;         /* failed logins of an email before the backoff */
	int64_t login_max_failures_per_ip;  /* failed logins from an address before the backoff */
	int ip_anonymize;           /* bool */
	int auto_migrate;           /* bool */
	int synchronous;            /* enum cfg_sync */
	int64_t workers;            /* processes; 0 = CPU count */
	int64_t threads;            /* FastCGI connections served at once per process */
	int64_t busy_timeout_ms;
	int64_t max_text_bytes;     /* LLM input/output kept per call */
	char stream_publish_url[256];   /* nginx's nchan_publisher location, on loopback (docs/realtime.md) */
};

/* Fills *c with the built-in defaults. */
void cfg_defaults(struct cfg *c);

/*
 * Sets one key from text. `origin` names where it came from ("tally.conf:12",
 * "TALLY_WORKERS", "--workers") and is used in the message written to err.
 * Returns 0, or -1 with err set.
 */
int cfg_set(struct cfg *c, const char *key, const char *value,
    const char *origin, char *err, size_t errlen);

/* Reads `key = value` lines; `#` starts a comment. A missing file is an error. */
int cfg_load_file(struct cfg *c, const char *path, char *err, size_t errlen);

/* Applies every TALLY_<KEY> variable of environ that names a known key. */
int cfg_load_env(struct cfg *c, char *err, size_t errlen);

/*
 * The usual order: defaults, then the file (`path`, or TALLY_CONFIG, or
 * /etc/tally/tally.conf when it exists), then the environment.
 */
int cfg_load(struct cfg *c, const char *path, char *err, size_t errlen);

#endif
