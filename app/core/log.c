#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <stdint.h>
#include <sys/uio.h>
#include <unistd.h>

#include <json-c/json.h>

static int min_level = LOG_INFO;
static const char *const level_names[] = { "debug", "info", "warn", "error" };

void
log_set_level(int level)
{
	min_level = level;
}

int
log_enabled(int level)
{
	return level >= min_level;
}

static void
iso_now(char out[64])
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    (int)(ts.tv_nsec / 1000000));
}

/* One writev(2) per line so lines from many threads and processes never interleave. */
static void
emit(json_object *o)
{
	size_t len;
	const char *s = json_object_to_json_string_length(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	struct iovec iov[2] = { { (void *)(uintptr_t)s, len }, { (void *)(uintptr_t)"\n", 1 } };
	if (writev(STDERR_FILENO, iov, 2) < 0) {
		/* nowhere left to report it */
	}
}

void
log_msg(int level, const char *fmt, ...)
{
	char ts[64], msg[2048];
	va_list ap;
	json_object *o;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	iso_now(ts);
	o = json_object_new_object();
	json_object_object_add(o, "time", json_object_new_string(ts));
	json_object_object_add(o, "level", json_object_new_string(level_names[level]));
	json_object_object_add(o, "pid", json_object_new_int(getpid()));
	json_object_object_add(o, "msg", json_object_new_string(msg));
	emit(o);
	json_object_put(o);
}

void
log_request_line(const struct log_request *r)
{
	char ts[64];
	json_object *o;
	int level = r->status >= 500 ? LOG_ERROR : LOG_INFO;

	if (!log_enabled(level))
		return;
	iso_now(ts);
	o = json_object_new_object();
	json_object_object_add(o, "time", json_object_new_string(ts));
	json_object_object_add(o, "level", json_object_new_string(level_names[level]));
	json_object_object_add(o, "request_id", json_object_new_string(r->request_id ? r->request_id : ""));
	if (r->project_id > 0)
		json_object_object_add(o, "project", json_object_new_int64(r->project_id));
	json_object_object_add(o, "method", json_object_new_string(r->method ? r->method : ""));
	json_object_object_add(o, "route", json_object_new_string(r->route ? r->route : ""));
	json_object_object_add(o, "status", json_object_new_int(r->status));
	json_object_object_add(o, "duration_us", json_object_new_int64(r->duration_us));
	if (r->accepted || r->duplicates || r->rejected) {
		json_object_object_add(o, "accepted", json_object_new_int64(r->accepted));
		json_object_object_add(o, "duplicates", json_object_new_int64(r->duplicates));
		json_object_object_add(o, "rejected", json_object_new_int64(r->rejected));
	}
	emit(o);
	json_object_put(o);
}
