/* tz: IANA time zones from TZif files, for local-time buckets (see include/tz.h). */
#include "tz.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define DAY_MS 86400000LL
#define NEG_INF (INT64_MIN / 4)         /* span ends: far outside TZ_MIN_MS..TZ_MAX_MS */
#define POS_INF (INT64_MAX / 4)
#define TIME_CLAMP (1LL << 40)          /* seconds (34,800 years): the "big bang" 2^59 of fat files fits in ms */
#define MAX_UTOFF 93599                 /* RFC 8536 3.2: utoff in [-89999, 93599] */
#define MIN_UTOFF (-89999)

/* A POSIX TZ rule date (POSIX.1-2017 8.3) with its time of day in seconds. */
struct rule {
	char kind;              /* 'J': Jn, 1..365, no Feb 29; 'D': n, 0..365; 'M': Mm.w.d */
	int n, m, w, d;
	int32_t time;           /* -167h .. 167h (RFC 8536 3.3.1) */
};

/*
 * at[0..n) are the instants (UTC ms, increasing) where the offset changes to
 * off[i] (seconds east); off0 is in force before at[0] (RFC 8536: time type
 * 0). Transitions that keep the offset are dropped at load. With a footer,
 * its rule governs from at[n - 1] on (everywhere when n == 0).
 */
struct tz {
	size_t n;
	int64_t *at;
	int32_t *off;
	int32_t off0;
	int footer, dst_rule;
	int32_t std, dst;
	struct rule start, end;
};

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int64_t
floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

static int64_t
floormod(int64_t a, int64_t b)
{
	return a - floordiv(a, b) * b;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = floordiv(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static int64_t
year_of_day(int64_t z)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floordiv(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	return yoe + era * 400 + (mp >= 10);
}

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The day (since the epoch) a rule falls on in year y. */
static int64_t
rule_day(const struct rule *r, int64_t y)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t first, day;
	int len;

	switch (r->kind) {
	case 'J':
		return days_from_civil(y, 1, 1) + r->n - 1 + (is_leap(y) && r->n >= 60);
	case 'D':
		return days_from_civil(y, 1, 1) + r->n;
	default:
		first = days_from_civil(y, r->m, 1);
		len = mdays[r->m - 1] + (r->m == 2 && is_leap(y));
		/* 1970-01-01 was a Thursday (4); d counts from Sunday (0) */
		day = first + floormod(r->d - floormod(first + 4, 7), 7) + 7 * (r->w - 1);
		return day >= first + len ? day - 7 : day;
	}
}

struct event {
	int64_t at;
	int32_t off;
};

/*
 * The footer's offset at t (ms) and the span [*lo, *hi) of constant offset
 * around it, from the rule's changes in the years around t.
 */
static int32_t
footer_span(const struct tz *z, int64_t t, int64_t *lo, int64_t *hi)
{
	struct event ev[10];
	int64_t y;
	int cnt = 0, i, j, k;

	*lo = NEG_INF;
	*hi = POS_INF;
	if (!z->dst_rule)
		return z->std;
	y = year_of_day(floordiv(t + z->std * 1000LL, DAY_MS));
	/* two years either side: a rule time of 167 h moves a change by a week */
	for (int64_t yy = y - 2; yy <= y + 2; yy++) {
		struct event e[2] = {
			{ (rule_day(&z->start, yy) * 86400 + z->start.time - z->std) * 1000, z->dst },
			{ (rule_day(&z->end, yy) * 86400 + z->end.time - z->dst) * 1000, z->std },
		};
		for (int h = 0; h < 2; h++) {   /* insertion in time order, the later one last on a tie */
			for (i = cnt; i > 0 && ev[i - 1].at > e[h].at; i--)
				ev[i] = ev[i - 1];
			ev[i] = e[h];
			cnt++;
		}
	}
	/* of changes at the same instant the last one holds */
	for (i = 0, j = 0; i < cnt; i++) {
		if (j > 0 && ev[j - 1].at == ev[i].at)
			j--;
		ev[j++] = ev[i];
	}
	cnt = j;
	for (i = cnt - 1; i >= 0 && ev[i].at > t; i--)
		;
	if (i < 0) {            /* not reached: the changes of year y - 2 come first */
		*hi = ev[0].at;
		return ev[0].off == z->dst ? z->std : z->dst;
	}
	for (j = i; j > 0 && ev[j - 1].off == ev[i].off; j--)
		;
	for (k = i + 1; k < cnt && ev[k].off == ev[i].off; k++)
		;
	*lo = ev[j].at;
	if (k < cnt)
		*hi = ev[k].at;
	return ev[i].off;
}

/* The offset (seconds) at t (ms) and the span [*lo, *hi) where it holds. */
static int32_t
span(const struct tz *z, int64_t t, int64_t *lo, int64_t *hi)
{
	size_t a, b;
	int32_t off;

	*lo = NEG_INF;
	*hi = POS_INF;
	if (z == NULL)
		return 0;
	if (z->footer && (z->n == 0 || t >= z->at[z->n - 1])) {
		off = footer_span(z, t, lo, hi);
		if (z->n > 0 && *lo < z->at[z->n - 1])
			*lo = z->at[z->n - 1];
		return off;
	}
	if (z->n == 0)
		return z->off0;
	if (t < z->at[0]) {
		*hi = z->at[0];
		return z->off0;
	}
	/* the last transition at or before t */
	a = 0;
	b = z->n;
	while (b - a > 1) {
		size_t mid = a + (b - a) / 2;
		if (z->at[mid] <= t)
			a = mid;
		else
			b = mid;
	}
	*lo = z->at[a];
	if (a + 1 < z->n)
		*hi = z->at[a + 1];
	return z->off[a];
}

static int64_t
clamp_ms(int64_t t)
{
	return t < TZ_MIN_MS ? TZ_MIN_MS : t > TZ_MAX_MS ? TZ_MAX_MS : t;
}

int
tz_offset_at(const struct tz *z, int64_t utc_ms)
{
	int64_t lo, hi;

	return span(z, clamp_ms(utc_ms), &lo, &hi);
}

/* Any other value counts as TZ_DAY. */
static enum tz_unit
norm_unit(enum tz_unit unit)
{
	return unit == TZ_MINUTE || unit == TZ_HOUR || unit == TZ_WEEK ? unit : TZ_DAY;
}

static int64_t
unit_ms(enum tz_unit unit)
{
	switch (unit) {
	case TZ_MINUTE:
		return 60000;
	case TZ_HOUR:
		return 3600000;
	case TZ_DAY:
		return DAY_MS;
	default:
		return 7 * DAY_MS;
	}
}

/* The local midnight (as local ms) that opens the day or week of local time l. */
static int64_t
local_floor(int64_t l, enum tz_unit unit)
{
	int64_t d = floordiv(l, DAY_MS);

	if (unit == TZ_WEEK)
		d -= floormod(d + 3, 7);        /* 1970-01-01 was a Thursday: Monday is 3 days before */
	return d * DAY_MS;
}

/*
 * Day and week buckets follow the lowest local time from t on,
 * low(t) = min over v >= t of local(v), rather than local(t): low never
 * decreases, so its days tile time even where clocks go back across midnight
 * (Chile's Saturday 24:00 -> 23:00 keeps the repeated hour in Saturday) or
 * by a whole day (Alaska, 1867). Where local time only moves forward the two
 * are the same.
 *
 * Offsets are at least MIN_UTOFF, so local(v) >= v + MIN_UTOFF s: past a
 * change at hi with hi + MIN_UTOFF >= low, local time cannot go lower.
 */
static int64_t
local_low(const struct tz *z, int64_t t)
{
	int64_t lo, hi, low = t + span(z, t, &lo, &hi) * 1000LL;

	while (hi + MIN_UTOFF * 1000LL < low) {
		int64_t v = hi, l = v + span(z, v, &lo, &hi) * 1000LL;
		if (l < low)
			low = l;
	}
	return low;
}

/*
 * The first instant from which local time never again falls below lm,
 * given t with low(t) >= lm: the last instant before t with local < lm,
 * found by walking back across the changes of offset. Ends within
 * MAX_UTOFF of lm, since earlier than lm - MAX_UTOFF local time is below lm.
 */
static int64_t
local_start(const struct tz *z, int64_t lm, int64_t t)
{
	int64_t lo, hi, u;
	int64_t off = span(z, t, &lo, &hi) * 1000LL;

	for (;;) {
		int64_t later = lo;
		if ((u = lm - off) > lo)
			return u;
		off = span(z, later - 1, &lo, &hi) * 1000LL;
		if (lm - off >= later)
			return later;   /* lm fell in the gap the change at later jumped over */
	}
}

int64_t
tz_bucket_start(const struct tz *z, int64_t utc_ms, enum tz_unit unit)
{
	int64_t t = clamp_ms(utc_ms), lo, hi, off, len, s;

	unit = norm_unit(unit);
	if (unit == TZ_DAY || unit == TZ_WEEK)
		return local_start(z, local_floor(local_low(z, t), unit), t);
	off = span(z, t, &lo, &hi) * 1000LL;
	len = unit_ms(unit);
	s = t - floormod(t + off, len);
	return s < lo ? lo : s;
}

int64_t
tz_bucket_next(const struct tz *z, int64_t utc_ms, enum tz_unit unit)
{
	int64_t t = clamp_ms(utc_ms), lo, hi, off, len, next;

	unit = norm_unit(unit);
	len = unit_ms(unit);
	if (unit == TZ_DAY || unit == TZ_WEEK) {
		/* the next local midnight: from lm - MIN_UTOFF on, local time stays past it */
		int64_t lm = local_floor(local_low(z, t), unit) + len;
		return local_start(z, lm, lm - MIN_UTOFF * 1000LL);
	}
	off = span(z, t, &lo, &hi) * 1000LL;
	next = t - floormod(t + off, len) + len;
	return next > hi ? hi : next;
}

/* ---- TZif (RFC 8536) ---- */

struct rd {
	const unsigned char *p;
	size_t left;
};

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct hdr {
	char version;           /* 0, '2', '3', '4', ... */
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

/* The magic, version and counts of a header (RFC 8536 3.1). */
static const char *
read_hdr(struct rd *r, struct hdr *h)
{
	const unsigned char *p = r->p;

	if (r->left < 44)
		return "truncated header";
	if (memcmp(p, "TZif", 4) != 0)
		return "not a TZif file";
	h->version = (char)p[4];
	if (h->version != 0 && h->version < '2')
		return "unknown TZif version";
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	r->p += 44;
	r->left -= 44;
	return NULL;
}

/* The counts of the header whose data we read. */
static const char *
check_hdr(const struct hdr *h)
{
	if (h->typecnt == 0 || h->typecnt > 256 || h->charcnt == 0)
		return "bad type or designation count";
	if ((h->isutcnt != 0 && h->isutcnt != h->typecnt) || (h->isstdcnt != 0 && h->isstdcnt != h->typecnt))
		return "bad indicator count";
	if (h->leapcnt != 0)
		return "leap-second zones are not supported";
	return NULL;
}

static uint64_t
block_size(const struct hdr *h, int tsize)
{
	return (uint64_t)h->timecnt * (uint64_t)(tsize + 1) + (uint64_t)h->typecnt * 6 + h->charcnt +
	    (uint64_t)h->leapcnt * (uint64_t)(tsize + 4) + h->isstdcnt + h->isutcnt;
}

/* Reads a data block with tsize-byte times into z (at, off, off0). */
static const char *
read_block(struct rd *r, const struct hdr *h, int tsize, struct tz *z)
{
	const unsigned char *times = r->p, *idx = times + (size_t)h->timecnt * tsize;
	const unsigned char *types = idx + h->timecnt, *chars = types + (size_t)h->typecnt * 6;
	const unsigned char *isstd = chars + h->charcnt, *isut = isstd + h->isstdcnt;
	int32_t cur;
	size_t k = 0;

	if (block_size(h, tsize) > r->left)
		return "truncated data";
	for (uint32_t i = 0; i < h->typecnt; i++) {
		const unsigned char *t = types + 6 * (size_t)i;
		int32_t utoff = (int32_t)be32(t);
		if (utoff < MIN_UTOFF || utoff > MAX_UTOFF || t[4] > 1 || t[5] >= h->charcnt)
			return "bad time type";
		if ((h->isstdcnt && isstd[i] > 1) || (h->isutcnt && (isut[i] > 1 || (isut[i] && !isstd[i]))))
			return "bad indicator";
	}
	if (h->timecnt > 0 && ((z->at = malloc(h->timecnt * sizeof(*z->at))) == NULL ||
	    (z->off = malloc(h->timecnt * sizeof(*z->off))) == NULL))
		return "out of memory";
	cur = z->off0 = (int32_t)be32(types);
	for (uint32_t i = 0; i < h->timecnt; i++) {
		int64_t s = tsize == 8 ? be64(times + 8 * (size_t)i) : (int32_t)be32(times + 4 * (size_t)i);
		int32_t o;
		if (i > 0 && s <= (tsize == 8 ? be64(times + 8 * (size_t)(i - 1)) :
		    (int32_t)be32(times + 4 * (size_t)(i - 1))))
			return "transitions out of order";
		if (idx[i] >= h->typecnt)
			return "bad transition type";
		o = (int32_t)be32(types + 6 * (size_t)idx[i]);
		s = (s < -TIME_CLAMP ? -TIME_CLAMP : s > TIME_CLAMP ? TIME_CLAMP : s) * 1000;
		if (k > 0 && z->at[k - 1] == s) {       /* two clamped to the same end */
			k--;
			cur = k > 0 ? z->off[k - 1] : z->off0;
		}
		if (o == cur)
			continue;
		z->at[k] = s;
		z->off[k++] = cur = o;
	}
	z->n = k;
	r->p += block_size(h, tsize);
	r->left -= (size_t)block_size(h, tsize);
	return NULL;
}

/* A designation: <[A-Za-z0-9+-]{3,}> or [A-Za-z]{3,}. */
static int
posix_name(const char **s)
{
	const char *p = *s;

	if (*p == '<') {
		for (p++; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '+' || *p == '-'; p++)
			;
		if (*p != '>' || p - *s < 4)
			return -1;
		p++;
	} else {
		while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
			p++;
		if (p - *s < 3)
			return -1;
	}
	*s = p;
	return 0;
}

static int
posix_num(const char **s, int lo, int hi, int *out)
{
	const char *p = *s;
	int v = 0, digits = 0;

	while (*p >= '0' && *p <= '9' && digits < 3) {
		v = v * 10 + (*p++ - '0');
		digits++;
	}
	if (digits == 0 || (*p >= '0' && *p <= '9') || v < lo || v > hi)
		return -1;
	*s = p;
	*out = v;
	return 0;
}

/* [+-]hh[:mm[:ss]] in seconds, hh up to maxh. */
static int
posix_hms(const char **s, int maxh, int32_t *out)
{
	const char *p = *s;
	int sign = 1, h, m = 0, sec = 0;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if (posix_num(&p, 0, maxh, &h) == -1)
		return -1;
	if (*p == ':') {
		p++;
		if (posix_num(&p, 0, 59, &m) == -1)
			return -1;
		if (*p == ':') {
			p++;
			if (posix_num(&p, 0, 59, &sec) == -1)
				return -1;
		}
	}
	*s = p;
	*out = sign * (h * 3600 + m * 60 + sec);
	return 0;
}

static int
posix_rule(const char **s, struct rule *r)
{
	const char *p = *s;

	memset(r, 0, sizeof(*r));
	if (*p == 'J') {
		p++;
		r->kind = 'J';
		if (posix_num(&p, 1, 365, &r->n) == -1)
			return -1;
	} else if (*p == 'M') {
		p++;
		r->kind = 'M';
		if (posix_num(&p, 1, 12, &r->m) == -1 || *p++ != '.' || posix_num(&p, 1, 5, &r->w) == -1 ||
		    *p++ != '.' || posix_num(&p, 0, 6, &r->d) == -1)
			return -1;
	} else {
		r->kind = 'D';
		if (posix_num(&p, 0, 365, &r->n) == -1)
			return -1;
	}
	r->time = 7200;         /* POSIX: 02:00:00 when not given */
	if (*p == '/') {
		p++;
		if (posix_hms(&p, 167, &r->time) == -1)
			return -1;
	}
	*s = p;
	return 0;
}

/* The footer's TZ string (POSIX.1-2017 8.3 with RFC 8536 3.3.1), NUL-terminated. */
static const char *
read_footer(const char *s, struct tz *z)
{
	int32_t v;

	z->footer = 1;
	if (*s == '\0') {               /* empty: the last type holds forever */
		z->footer = 0;
		return NULL;
	}
	if (posix_name(&s) == -1 || posix_hms(&s, 24, &v) == -1)
		return "bad TZ string (standard time)";
	z->std = z->dst = -v;           /* POSIX offsets count west */
	if (*s == '\0')
		return NULL;
	if (posix_name(&s) == -1)
		return "bad TZ string (DST name)";
	z->dst = z->std + 3600;
	if (*s != ',') {
		if (posix_hms(&s, 24, &v) == -1)
			return "bad TZ string (DST offset)";
		z->dst = -v;
	}
	if (*s++ != ',' || posix_rule(&s, &z->start) == -1 || *s++ != ',' || posix_rule(&s, &z->end) == -1 ||
	    *s != '\0')
		return "bad TZ string (DST rule)";
	z->dst_rule = z->std != z->dst;
	return NULL;
}

void
tz_free(struct tz *z)
{
	if (z == NULL)
		return;
	free(z->at);
	free(z->off);
	free(z);
}

struct tz *
tz_parse(const unsigned char *data, size_t n, char *err, size_t errlen)
{
	struct rd r = { data, n };
	struct hdr h;
	struct tz *z;
	const char *e;
	char footer[256];

	set_err(err, errlen, "%s", "");
	if ((z = calloc(1, sizeof(*z))) == NULL) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	if ((e = read_hdr(&r, &h)) != NULL)
		goto fail;
	if (h.version == 0) {           /* version 1: 32-bit times, no footer */
		if ((e = check_hdr(&h)) == NULL)
			e = read_block(&r, &h, 4, z);
		goto done;
	}
	/* version 2+: skip the 32-bit block (readers ignore it, slim files leave
	 * it nearly empty) for the 64-bit one and the footer */
	if (block_size(&h, 4) > r.left) {
		e = "truncated data";
		goto fail;
	}
	r.p += block_size(&h, 4);
	r.left -= (size_t)block_size(&h, 4);
	if ((e = read_hdr(&r, &h)) != NULL || (e = h.version == 0 ? "version mismatch" : check_hdr(&h)) != NULL ||
	    (e = read_block(&r, &h, 8, z)) != NULL)
		goto fail;
	{
		const unsigned char *nl;
		size_t len;
		if (r.left < 2 || r.p[0] != '\n' || (nl = memchr(r.p + 1, '\n', r.left - 1)) == NULL) {
			e = "missing footer";
			goto fail;
		}
		len = (size_t)(nl - (r.p + 1));
		if (len >= sizeof(footer) || memchr(r.p + 1, '\0', len) != NULL) {
			e = "bad footer";
			goto fail;
		}
		memcpy(footer, r.p + 1, len);
		footer[len] = '\0';
		e = read_footer(footer, z);
	}
done:
	if (e == NULL)
		return z;
fail:
	set_err(err, errlen, "%s", e);
	tz_free(z);
	return NULL;
}

/* An IANA name: [A-Za-z0-9_+-] segments joined by '/', no "." or ".." (path safety). */
static int
valid_name(const char *name)
{
	size_t len = strnlen(name, TZ_NAME_MAX + 1), seg = 0;

	if (len == 0 || len > TZ_NAME_MAX)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		char c = name[i];
		if (c == '/' || c == '\0') {
			if (seg == 0)
				return 0;       /* leading '/', "//", trailing '/' */
			seg = 0;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '+' || c == '-'))
			return 0;
		seg++;
	}
	return 1;
}

struct tz *
tz_load(const char *name, char *err, size_t errlen)
{
	char path[sizeof(TZ_DIR) + TZ_NAME_MAX + 1], why[128];
	unsigned char *buf = NULL;
	struct tz *z = NULL;
	struct stat st;
	size_t got = 0;
	int fd;

	set_err(err, errlen, "%s", "");
	if (name == NULL || !valid_name(name)) {
		set_err(err, errlen, "invalid time zone name");
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", TZ_DIR, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		set_err(err, errlen, "unknown time zone '%s'", name);
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > TZ_FILE_MAX) {
		set_err(err, errlen, "unknown time zone '%s'", name);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size)) == NULL) {
		set_err(err, errlen, "out of memory");
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			set_err(err, errlen, "time zone '%s': cannot read %s", name, path);
			goto out;
		}
		got += (size_t)r;
	}
	if ((z = tz_parse(buf, got, why, sizeof(why))) == NULL)
		set_err(err, errlen, "time zone '%s': %s", name, why);
out:
	free(buf);
	close(fd);
	return z;
}

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char name[TZ_NAME_MAX + 1];
	struct tz *z;
} cache[TZ_CACHE_MAX];
static size_t cache_n;

const struct tz *
tz_get(const char *name, char *err, size_t errlen)
{
	struct tz *z = NULL;
	size_t i;

	set_err(err, errlen, "%s", "");
	if (name == NULL || !valid_name(name)) {
		set_err(err, errlen, "invalid time zone name");
		return NULL;
	}
	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < cache_n; i++)
		if (strcmp(cache[i].name, name) == 0) {
			z = cache[i].z;
			goto out;
		}
	if (cache_n == TZ_CACHE_MAX) {
		set_err(err, errlen, "too many time zones in use");
		goto out;
	}
	/* read under the lock: once per name per process, and no double load */
	if ((z = tz_load(name, err, errlen)) != NULL) {
		util_strlcpy(cache[cache_n].name, name, sizeof(cache[cache_n].name));
		cache[cache_n++].z = z;
	}
out:
	pthread_mutex_unlock(&cache_lock);
	return z;
}
