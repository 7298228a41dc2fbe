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

/*
 * Fills out[0..nsteps). 0, or -1 out of memory or called a second time.
 * With funnel_keep_keys, also lists the users counted (funnel_entrants).
 */
int funnel_result(struct funnel *f, struct funnel_step *out);

/* ---- the breakdown: the users counted, grouped by a value of their entry event ---- */

/* Users a breakdown may look up (one read of an event each): beyond, the request is refused. */
#define FUNNEL_MAX_ENTRANTS 200000
#define FUNNEL_BREAKDOWN_LIMIT_DEFAULT 10
#define FUNNEL_BREAKDOWN_LIMIT_MAX 100
/* The group of users whose entry event has no value (or one that is not a scalar). */
#define FUNNEL_NONE "(none)"

/*
 * Keeps the user key of every event of step 1's name, so that after
 * funnel_result each user counted can be named (funnel_entrant). Call
 * before the first funnel_add. Costs the keys' bytes plus 8 bytes a user.
 * 0, or -1 when events were already added.
 */
int funnel_keep_keys(struct funnel *f);

/* How many users funnel_result counted (0 without funnel_keep_keys). */
size_t funnel_entrants(const struct funnel *f);

/*
 * Counted user i (0 <= i < funnel_entrants): their key (borrowed until
 * funnel_free) and the time of their entry, the step-1 event their path
 * starts from. 0, or -1 for i out of range.
 */
int funnel_entrant(const struct funnel *f, size_t i, const char **key, size_t *keylen,
    int64_t *entry_ms);

/*
 * Puts user i in the group of value (len bytes, copied); value NULL: the
 * group FUNNEL_NONE, as is every user never given a value. 0, or -1 out of
 * memory or i out of range.
 */
int funnel_group(struct funnel *f, size_t i, const char *value, size_t len);

struct funnel_group {
	const char *value;              /* borrowed until funnel_free; NULL for the rest */
	size_t len;
	size_t folded;                  /* the rest: how many values it holds; else 0 */
	struct funnel_step steps[FUNNEL_MAX_STEPS];
};

/*
 * The groups by step-1 count, largest first, then by value (bytes): at most
 * limit (>= 1) of them, then, if more values remain, one more that sums
 * them (value NULL, folded set; its conversions come from its sums, its
 * medians are -1). The counts of all groups add up to funnel_result's.
 * *groups (caller frees; NULL when nobody entered) and *n; 0, or -1 out of
 * memory, or without funnel_keep_keys and funnel_result.
 */
int funnel_breakdown(struct funnel *f, size_t limit, struct funnel_group **groups, size_t *n);

#endif
