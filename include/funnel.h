/*
 * funnel: the arithmetic of the funnel report (SPEC §5.3), apart from the
 * store and HTTP. docs/funnels.md states the rules; in short:
 *
 *   - an entry is an event of step 1 with from <= ts < to;
 *   - step k+1 is the earliest event of its name strictly after step k
 *     and at most window_ms after the entry (it may fall after `to`);
 *   - each user counts once, through the earliest entry from which they
 *     get furthest; times to convert are measured along that path.
 *
 * The caller hands in the events of the distinct step names (funnel_add,
 * with their user key), then asks for the counts (funnel_result).
 */
#ifndef TALLY_FUNNEL_H
#define TALLY_FUNNEL_H

#include <stddef.h>
#include <stdint.h>

#define FUNNEL_MIN_STEPS 2
#define FUNNEL_MAX_STEPS 10
#define FUNNEL_NAME_MAX_CHARS 200       /* the cap on event names at ingest (SPEC §4.3) */
#define FUNNEL_WINDOW_DEFAULT_MS 86400000LL             /* 1 d (SPEC §5.3) */
#define FUNNEL_WINDOW_MAX_MS (90 * 86400000LL)
/* Events one funnel may read (16 bytes each): beyond, the request is refused. */
#define FUNNEL_MAX_ROWS 5000000

/*
 * A conversion window: a whole number with a unit, "45s", "30m", "2h",
 * "1d", "2w", or plain seconds ("3600"); from 1 s to 90 d. 0 and *ms set,
 * or -1 (*ms untouched).
 */
int funnel_window_parse(const char *s, int64_t *ms);

/*
 * Checks a step list: FUNNEL_MIN_STEPS to FUNNEL_MAX_STEPS names, each
 * non-empty, valid UTF-8, at most FUNNEL_NAME_MAX_CHARS characters. Names
 * may repeat (a → b → a). 0, or -1 with the problem written to err.
 */
int funnel_steps_check(const char *const *steps, size_t n, char *err, size_t errlen);

struct funnel;

/*
 * A funnel over steps[0..nsteps) (checked by funnel_steps_check; borrowed
 * until funnel_free) for entries in [from_ms, to_ms), holding at most
 * max_rows events (FUNNEL_MAX_ROWS for a request). NULL when out of memory.
 */
struct funnel *funnel_new(const char *const *steps, size_t nsteps, int64_t from_ms,
    int64_t to_ms, int64_t window_ms, size_t max_rows);
void funnel_free(struct funnel *f);     /* NULL-safe */

/*
 * The distinct step names, in order of first use: the events to read are
 * those of these names with ts in [*from_ms, *to_ms) (the entries' range
 * stretched by the window). Borrowed from the steps given to funnel_new.
 */
size_t funnel_names(const struct funnel *f, const char *const **names, int64_t *from_ms,
    int64_t *to_ms);

/*
 * One event of names[name] at ts by user_key (keylen bytes, copied). Any
 * order is accepted; name by name, each in time order, is the cheap one.
 * 0; 1 when max_rows events are already held (the event is not
 * kept: the answer would be wrong, refuse the request); -1 out of memory
 * or a name index out of range.
 */
int funnel_add(struct funnel *f, size_t name, int64_t ts_ms, const char *user_key, size_t keylen);

struct funnel_step {
	int64_t users;                  /* users who reached this step */
	double conversion;              /* users / users of step 1 (0 when nobody entered) */
	double step_conversion;         /* users / users of the previous step (step 1: as conversion) */
	int64_t median_ms;              /* median time from the entry to this step; -1: none */
};

/* Fills out[0..nsteps). 0, or -1 out of memory or called a second time. */
int funnel_result(struct funnel *f, struct funnel_step *out);

#endif
