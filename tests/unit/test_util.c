/* test_util: util_parse_i64, util_strlcpy, util_uuid4, buf_*, hashes. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "tap.h"

static void
parse_ok(const char *s, int64_t min, int64_t max, int64_t want)
{
	int64_t v = -12345;
	int rc = util_parse_i64(s, min, max, &v);
	ok(rc == 0 && v == want, "parse_i64 '%s' in [%lld, %lld] = %lld", s,
	    (long long)min, (long long)max, (long long)want);
	if (rc != 0 || v != want)
		tap_diag("expected rc 0 and %lld, got rc %d and %lld", (long long)want, rc, (long long)v);
}

static void
parse_bad(const char *s, int64_t min, int64_t max)
{
	int64_t v = -12345;
	int rc = util_parse_i64(s, min, max, &v);
	ok(rc == -1, "parse_i64 '%s' in [%lld, %lld] refused", s ? s : "(null)",
	    (long long)min, (long long)max);
	if (rc != -1)
		tap_diag("expected rc -1, got %d (value %lld)", rc, (long long)v);
}

static int
uuid_well_formed(const char *u)
{
	if (strlen(u) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (u[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)u[i]) || isupper((unsigned char)u[i]))
			return 0;
	}
	return u[14] == '4' && strchr("89ab", u[19]) != NULL;
}

int
main(void)
{
	const int64_t I64MIN = INT64_MIN, I64MAX = INT64_MAX;

	/* util_parse_i64: whole string, decimal, in range */
	parse_ok("0", 0, 10, 0);
	parse_ok("10", 0, 10, 10);
	parse_ok("-5", -10, 10, -5);
	parse_ok("-0", 0, 10, 0);
	parse_ok("007", 0, 10, 7);
	parse_ok("9223372036854775807", I64MIN, I64MAX, I64MAX);
	parse_ok("-9223372036854775808", I64MIN, I64MAX, I64MIN);
	parse_bad("11", 0, 10);
	parse_bad("-1", 0, 10);
	parse_bad("", 0, 10);
	parse_bad(NULL, 0, 10);
	parse_bad("+1", 0, 10);
	parse_bad(" 1", 0, 10);
	parse_bad("1 ", 0, 10);
	parse_bad("1x", 0, 10);
	parse_bad("x1", 0, 10);
	parse_bad("-", 0, 10);
	parse_bad("--1", -10, 10);
	parse_bad("0x10", 0, 100);
	parse_bad("1.0", 0, 10);
	parse_bad("1e3", 0, 10000);
	parse_bad("9223372036854775808", I64MIN, I64MAX);
	parse_bad("-9223372036854775809", I64MIN, I64MAX);
	parse_bad("99999999999999999999999", I64MIN, I64MAX);
	{
		int64_t v = 77;
		util_parse_i64("abc", 0, 10, &v);
		is_int(v, 77, "parse_i64 leaves *out alone on failure");
	}

	/* util_strlcpy: OpenBSD semantics */
	{
		char d[8];
		size_t n;

		memset(d, 'Z', sizeof(d));
		n = util_strlcpy(d, "hello", sizeof(d));
		is_int(n, 5, "strlcpy returns strlen(src) when it fits");
		is_str(d, "hello", "strlcpy copies when it fits");
		n = util_strlcpy(d, "hello", 6);
		ok(n < 6 && strcmp(d, "hello") == 0, "strlcpy exact fit (size = len + 1) is not truncation");
		n = util_strlcpy(d, "truncated!", sizeof(d));
		is_int(n, 10, "strlcpy returns strlen(src) when truncating");
		is_str(d, "truncat", "strlcpy truncates and NUL-terminates");
		memset(d, 'Z', sizeof(d));
		n = util_strlcpy(d, "abc", 0);
		ok(n == 3 && d[0] == 'Z', "strlcpy with size 0 writes nothing");
		n = util_strlcpy(d, "abc", 1);
		ok(n == 3 && d[0] == '\0', "strlcpy with size 1 gives an empty string");
		n = util_strlcpy(d, "", sizeof(d));
		ok(n == 0 && d[0] == '\0', "strlcpy of an empty string");
	}

	/* util_uuid4: RFC 4122 version 4, lowercase */
	{
		char a[37], b[37];
		int all_ok = 1;

		util_uuid4(a);
		util_uuid4(b);
		ok(uuid_well_formed(a), "uuid4 is 8-4-4-4-12 lowercase hex, version 4, variant 10xx");
		if (!uuid_well_formed(a))
			tap_diag("got '%s'", a);
		ok(strcmp(a, b) != 0, "two uuid4 differ");
		for (int i = 0; i < 1000; i++) {
			util_uuid4(a);
			all_ok &= uuid_well_formed(a);
		}
		ok(all_ok, "1000 uuid4 are all well formed");
	}

	/* buf: growable, always NUL-terminated */
	{
		struct buf b = { 0 };
		int rc = 0;

		ok(buf_append(&b, "", 0) == 0 && b.data != NULL && b.data[0] == '\0' && b.len == 0,
		    "buf_append of nothing to an empty buf gives \"\"");
		for (int i = 0; i < 1000; i++)
			rc |= buf_puts(&b, "0123456789");
		ok(rc == 0 && b.len == 10000 && strlen(b.data) == 10000 && b.cap > b.len,
		    "buf_puts 1000 times grows to 10000 bytes, NUL-terminated");
		ok(memcmp(b.data + 9990, "0123456789", 10) == 0, "buf keeps the content across growth");
		buf_free(&b);
		ok(b.data == NULL && b.len == 0 && b.cap == 0, "buf_free resets the buf");
		buf_free(&b);
		ok(1, "buf_free twice is harmless");

		rc = buf_append(&b, "a\0b", 3);
		ok(rc == 0 && b.len == 3 && memcmp(b.data, "a\0b", 4) == 0,
		    "buf_append keeps embedded NULs and terminates");
		buf_free(&b);

		/* exactly filling the capacity must still leave room for the NUL */
		{
			char big[255];
			memset(big, 'x', sizeof(big));
			rc = buf_append(&b, big, sizeof(big));
			rc |= buf_append(&b, "y", 1);
			ok(rc == 0 && b.len == 256 && b.cap >= 257 && b.data[256] == '\0' && b.data[255] == 'y',
			    "buf_append at the capacity boundary grows for the NUL");
			buf_free(&b);
		}
	}

	/* hashes */
	{
		char h[65];
		util_sha256_hex("abc", 3, h);
		is_str(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		    "sha256_hex of 'abc' (FIPS 180-2 vector)");
		util_sha256_hex("", 0, h);
		is_str(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		    "sha256_hex of the empty string");
		/* stored as the dedup key: must be the documented function before data exists */
		tap_todo = "util_hash64 offset basis is 1469598103934665603, FNV-1a's is 14695981039346656037";
		is_int(util_hash64("", 0), (int64_t)0xcbf29ce484222325ULL, "hash64 of '' is the FNV-1a offset basis");
		is_int(util_hash64("tally", 5), -6179135321747401507LL, "hash64 of 'tally' is FNV-1a 64");
		tap_todo = NULL;
		ok(util_hash64("a", 1) != util_hash64("b", 1) && util_hash64("ab", 2) != util_hash64("ba", 2),
		    "hash64 tells close strings apart");
		ok(util_hash64("abc", 2) == util_hash64("abd", 2), "hash64 reads only len bytes");
	}

	/* util_ip_anonymize: IPv4 /24, IPv6 /48 */
	{
		char o[64];
		util_ip_anonymize("203.0.113.77", o, sizeof(o));
		is_str(o, "203.0.113.0", "ip_anonymize keeps an IPv4 /24");
		util_ip_anonymize("2001:db8:1:2:3:4:5:6", o, sizeof(o));
		is_str(o, "2001:db8:1::", "ip_anonymize keeps an IPv6 /48");
		util_ip_anonymize("not an address", o, sizeof(o));
		is_str(o, "", "ip_anonymize turns garbage into \"\"");
		util_ip_anonymize("", o, sizeof(o));
		is_str(o, "", "ip_anonymize of \"\" is \"\"");
		util_ip_anonymize("1.2.3.4 ", o, sizeof(o));
		is_str(o, "", "ip_anonymize refuses trailing junk");
	}

	/* clocks */
	{
		int64_t a = util_mono_us(), b = util_mono_us();
		ok(b >= a, "mono_us does not go backwards");
		ok(util_now_ms() > 1700000000000LL, "now_ms is epoch milliseconds");
	}
	return tap_done();
}
