/* log: one JSON object per line on stderr (journald under systemd). */
#ifndef TALLY_LOG_H
#define TALLY_LOG_H

#include <stdint.h>

#include "cfg.h"

void log_set_level(int level);
int log_enabled(int level);

/* A free-form line: {"time":…,"level":…,"msg":…}. Never pass secrets. */
void log_msg(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The access line written once per request by the worker. */
struct log_request {
	const char *request_id, *method, *route;
	int64_t project_id;     /* 0 when unknown */
	int status;
	int64_t duration_us;
	int64_t accepted, duplicates, rejected;
};
void log_request_line(const struct log_request *r);

#endif
