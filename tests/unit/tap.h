/*
 * tap: the few helpers every unit test uses to speak TAP (Test Anything
 * Protocol, the format automake's tap-driver.sh reads). Header-only: each
 * test program is one .c file plus this.
 *
 *   ok(cond, "name %d", i);          one test
 *   is_int(got, want, "name");       prints "# expected … got …" on failure
 *   is_str(got, want, "name");       NULL-safe
 *   tap_todo = "bug: …";             failures until the next tap_todo = NULL
 *                                    are "not ok … # TODO bug: …"
 *   return tap_done();               prints the plan; 1 if a test failed
 */
#ifndef TALLY_TAP_H
#define TALLY_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;
static const char *tap_todo;

static inline int tap_vok(int pass, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static inline int tap_ok(int pass, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline void tap_diag(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static inline int
tap_vok(int pass, const char *fmt, va_list ap)
{
	printf("%sok %d - ", pass ? "" : "not ", ++tap_count);
	vprintf(fmt, ap);
	/* A known product bug stays visible without failing the suite; once
	 * fixed the test simply passes (no XPASS to clean up). */
	if (!pass && tap_todo != NULL)
		printf(" # TODO %s", tap_todo);
	else if (!pass)
		tap_failed++;
	printf("\n");
	fflush(stdout);
	return pass;
}

static inline int
tap_ok(int pass, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pass = tap_vok(pass, fmt, ap);
	va_end(ap);
	return pass;
}

static inline void
tap_diag(const char *fmt, ...)
{
	va_list ap;
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#define ok(cond, ...) tap_ok((cond) != 0, __VA_ARGS__)

#define is_int(got, want, ...) do { \
	long long tap_g_ = (long long)(got), tap_w_ = (long long)(want); \
	if (!tap_ok(tap_g_ == tap_w_, __VA_ARGS__)) \
		tap_diag("expected %lld got %lld", tap_w_, tap_g_); \
} while (0)

#define is_str(got, want, ...) do { \
	const char *tap_g_ = (got), *tap_w_ = (want); \
	int tap_p_ = (tap_g_ == NULL || tap_w_ == NULL) ? tap_g_ == tap_w_ : \
	    strcmp(tap_g_, tap_w_) == 0; \
	if (!tap_ok(tap_p_, __VA_ARGS__)) \
		tap_diag("expected '%s' got '%s'", tap_w_ ? tap_w_ : "(null)", \
		    tap_g_ ? tap_g_ : "(null)"); \
} while (0)

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed != 0;
}

#endif
