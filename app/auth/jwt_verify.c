#include "jwt_verify.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <jwt.h>

#include "json_strict.h"
#include "util.h"

#define JWT_JSON_DEPTH 8        /* claims are flat; "projects"/"aud" add one level */
#define JWT_MAX_KEY (1 << 20)   /* libjwt takes an int length */

/* The three algorithms SPEC §3 allows, by their exact RFC 7518 names. */
static const struct {
	const char *name;
	int alg;
} jwt_algs[] = {
	{ "HS256", JWT_ALG_HS256 },
	{ "RS256", JWT_ALG_RS256 },
	{ "ES256", JWT_ALG_ES256 },
};

static int
b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/*
 * base64url without padding (RFC 7515 §2): decodes s[0..n) into out, which
 * holds at least n * 3 / 4 + 1 bytes, and NUL-terminates it. Refuses other
 * characters, '=', a length of 4k+1 and non-zero spare bits (one encoding
 * per value). Returns the decoded length or -1.
 */
static long
b64url_decode(const char *s, size_t n, unsigned char *out)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;

	if (n % 4 == 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int v = b64url_value((unsigned char)s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0)
		return -1;
	out[o] = '\0';
	return (long)o;
}

/* Decodes one segment and parses it as a JSON object into *obj (caller puts it). */
static int
segment_json(const char *s, size_t n, json_object **obj)
{
	unsigned char *buf;
	long len;
	int rc = -1;
	char err[64];

	*obj = NULL;
	if ((buf = malloc(n * 3 / 4 + 1)) == NULL)
		return -1;
	if ((len = b64url_decode(s, n, buf)) <= 0)
		goto out;
	if (json_parse_strict((const char *)buf, (size_t)len, JWT_JSON_DEPTH, obj,
	    err, sizeof(err)) != 0)
		goto out;
	if (!json_object_is_type(*obj, json_type_object)) {
		json_object_put(*obj);
		*obj = NULL;
		goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/*
 * An optional integer claim: 0 absent (*v = 0), 1 present, -1 present but
 * not a JSON integer (json-c would coerce 1.9 or "12"; STACK-NOTES).
 */
static int
int_claim(json_object *payload, const char *name, int64_t *v)
{
	json_object *o;

	*v = 0;
	if (!json_object_object_get_ex(payload, name, &o))
		return 0;
	if (!json_object_is_type(o, json_type_int))
		return -1;
	*v = json_object_get_int64(o);
	return 1;
}

/* aud (RFC 7519 §4.1.3): one string, or an array of strings of which one must match. */
static int
aud_matches(json_object *aud, const char *want)
{
	const char *s;

	if ((s = json_str(aud)) != NULL)
		return strcmp(s, want) == 0;
	if (!json_object_is_type(aud, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(aud); i++)
		if ((s = json_str(json_object_array_get_idx(aud, i))) != NULL &&
		    strcmp(s, want) == 0)
			return 1;
	return 0;
}

/* The claims of an already verified payload into *out; rc and *why on refusal. */
static int
check_claims(json_object *p, const struct jwt_rules *r, struct jwt_claims *out,
    const char **why)
{
	json_object *o;
	const char *s;
	int have;

	if (int_claim(p, "exp", &out->exp) != 1 || out->exp <= 0) {
		*why = "exp missing or not an integer";
		return JWT_VERIFY_CLAIMS;
	}
	/* now > exp + leeway, written so that neither side can overflow */
	if (r->now_s > out->exp && (uint64_t)r->now_s - (uint64_t)out->exp > (uint64_t)r->leeway_s) {
		*why = "token expired";
		return JWT_VERIFY_EXPIRED;
	}
	if ((have = int_claim(p, "nbf", &out->nbf)) < 0) {
		*why = "nbf not an integer";
		return JWT_VERIFY_CLAIMS;
	}
	if (have && out->nbf > r->now_s &&
	    (uint64_t)out->nbf - (uint64_t)r->now_s > (uint64_t)r->leeway_s) {
		*why = "token not yet valid";
		return JWT_VERIFY_NOT_YET;
	}
	if (int_claim(p, "iat", &out->iat) < 0) {
		*why = "iat not an integer";
		return JWT_VERIFY_CLAIMS;
	}

	if (r->issuer != NULL && (!json_object_object_get_ex(p, "iss", &o) ||
	    (s = json_str(o)) == NULL || strcmp(s, r->issuer) != 0)) {
		*why = "issuer does not match";
		return JWT_VERIFY_ISSUER;
	}
	if (r->audience != NULL && (!json_object_object_get_ex(p, "aud", &o) ||
	    !aud_matches(o, r->audience))) {
		*why = "audience does not match";
		return JWT_VERIFY_AUDIENCE;
	}

	if (!json_object_object_get_ex(p, "sub", &o) || (s = json_str(o)) == NULL ||
	    *s == '\0' || util_strlcpy(out->sub, s, sizeof(out->sub)) >= sizeof(out->sub)) {
		*why = "sub missing, empty or too long";
		return JWT_VERIFY_CLAIMS;
	}
	if (json_object_object_get_ex(p, "role", &o) && ((s = json_str(o)) == NULL ||
	    util_strlcpy(out->role, s, sizeof(out->role)) >= sizeof(out->role))) {
		*why = "role not a short string";
		return JWT_VERIFY_CLAIMS;
	}
	if (json_object_object_get_ex(p, "projects", &o)) {
		size_t n;
		if (!json_object_is_type(o, json_type_array) ||
		    (n = json_object_array_length(o)) > JWT_MAX_PROJECTS) {
			*why = "projects not an array of at most 32 slugs";
			return JWT_VERIFY_CLAIMS;
		}
		for (size_t i = 0; i < n; i++) {
			s = json_str(json_object_array_get_idx(o, i));
			if (s == NULL || *s == '\0' || util_strlcpy(out->projects[i], s,
			    JWT_SLUG_MAX) >= JWT_SLUG_MAX) {
				*why = "projects holds a value that is not a slug";
				return JWT_VERIFY_CLAIMS;
			}
		}
		out->nprojects = (int)n;
	}
	return JWT_VERIFY_OK;
}

int
jwt_verify(const char *token, const struct jwt_key *keys, size_t nkeys,
    const struct jwt_rules *r, struct jwt_claims *out, const char **why)
{
	const char *dot1, *dot2, *s;
	size_t len;
	json_object *header = NULL, *payload = NULL, *o;
	jwt_t *jwt = NULL;
	unsigned char *sig = NULL;
	int alg = JWT_ALG_INVAL, rc, tried = 0;
	const char *reason;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (why == NULL)
		why = &reason;
	*why = "bad arguments";
	if (token == NULL || keys == NULL || r == NULL || out == NULL ||
	    r->leeway_s < 0 || r->leeway_s > JWT_MAX_LEEWAY)
		return JWT_VERIFY_MISUSE;

	/* Shape first, before any decoding: header.payload.signature, none empty. */
	rc = JWT_VERIFY_MALFORMED;
	if ((len = strnlen(token, JWT_MAX_TOKEN + 1)) > JWT_MAX_TOKEN) {
		*why = "token too long";
		goto out;
	}
	*why = "token is not three base64url JSON segments";
	if ((dot1 = memchr(token, '.', len)) == NULL ||
	    (dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token))) == NULL ||
	    memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) != NULL ||
	    dot1 == token || dot2 == dot1 + 1 || dot2 + 1 == token + len)
		goto out;
	if (segment_json(token, (size_t)(dot1 - token), &header) != 0 ||
	    segment_json(dot1 + 1, (size_t)(dot2 - dot1 - 1), &payload) != 0)
		goto out;
	len = (size_t)(token + len - dot2 - 1);
	if ((sig = malloc(len * 3 / 4 + 1)) == NULL || b64url_decode(dot2 + 1, len, sig) <= 0)
		goto out;

	/*
	 * The header's alg picks the key; it must name exactly one of the
	 * algorithms configured. "none", "hs256", or HS256 against a public key
	 * (alg confusion) never reach jwt_decode with that key.
	 */
	rc = JWT_VERIFY_ALG;
	*why = "algorithm not accepted";
	if (!json_object_object_get_ex(header, "alg", &o) || (s = json_str(o)) == NULL)
		goto out;
	for (size_t i = 0; i < sizeof(jwt_algs) / sizeof(jwt_algs[0]); i++)
		if (strcmp(s, jwt_algs[i].name) == 0)
			alg = jwt_algs[i].alg;
	if (alg == JWT_ALG_INVAL)
		goto out;
	/* RFC 7515 §4.1.11: extensions we do not understand must be refused */
	if (json_object_object_get_ex(header, "crit", &o)) {
		*why = "critical header extensions not supported";
		goto out;
	}

	rc = JWT_VERIFY_SIGNATURE;
	for (size_t i = 0; i < nkeys; i++) {
		/* libjwt skips the signature check on an empty key (STACK-NOTES) */
		if (keys[i].alg != alg || keys[i].key == NULL || keys[i].len == 0 ||
		    keys[i].len > JWT_MAX_KEY)
			continue;
		tried = 1;
		if (jwt_decode(&jwt, token, keys[i].key, (int)keys[i].len) == 0 &&
		    jwt != NULL && (int)jwt_get_alg(jwt) == alg)
			break;
		jwt_free(jwt);
		jwt = NULL;
	}
	if (jwt == NULL) {
		if (!tried)
			rc = JWT_VERIFY_ALG;
		*why = tried ? "signature does not verify" : "algorithm not accepted";
		goto out;
	}

	/* Claims from our own strict parse of the payload libjwt just verified. */
	rc = check_claims(payload, r, out, why);
	if (rc == JWT_VERIFY_OK) {
		out->alg = alg;
		*why = "ok";
	}
out:
	if (rc != JWT_VERIFY_OK)
		memset(out, 0, sizeof(*out));
	jwt_free(jwt);
	free(sig);
	json_object_put(header);
	json_object_put(payload);
	return rc;
}

char *
jwt_issue_hs256(const unsigned char *secret, size_t len, const char *sub,
    int64_t now_s, int64_t ttl_s, const char *issuer, const char *audience)
{
	jwt_t *jwt = NULL;
	char *tok = NULL;
	int64_t exp;

	if (secret == NULL || len == 0 || len > JWT_MAX_KEY || sub == NULL ||
	    *sub == '\0' || strlen(sub) > 255 || now_s <= 0 || ttl_s <= 0 ||
	    __builtin_add_overflow(now_s, ttl_s, &exp) || exp > LONG_MAX)
		return NULL;
	if (jwt_new(&jwt) != 0)
		return NULL;
	if (jwt_add_grant(jwt, "sub", sub) != 0 ||
	    jwt_add_grant_int(jwt, "iat", (long)now_s) != 0 ||
	    jwt_add_grant_int(jwt, "exp", (long)exp) != 0 ||
	    (issuer != NULL && jwt_add_grant(jwt, "iss", issuer) != 0) ||
	    (audience != NULL && jwt_add_grant(jwt, "aud", audience) != 0) ||
	    jwt_set_alg(jwt, JWT_ALG_HS256, secret, (int)len) != 0)
		goto out;
	tok = jwt_encode_str(jwt);     /* malloc'd: libjwt's default allocator */
out:
	jwt_free(jwt);
	return tok;
}
