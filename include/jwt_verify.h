/*
 * jwt_verify: bearer tokens for dashboard and operator callers (SPEC §3).
 *
 * libjwt 1.10 accepts forged tokens unless its caller checks (STACK-NOTES
 * "libjwt 1.10.2": alg confusion, empty key, alg none, no claim validation),
 * so the token's shape, header, algorithm and claims are all checked here and
 * libjwt is only asked whether the signature holds for the key we chose.
 */
#ifndef TALLY_JWT_VERIFY_H
#define TALLY_JWT_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#define JWT_MAX_TOKEN 8192      /* bytes of a compact token, before decoding */
#define JWT_MAX_LEEWAY 60       /* SPEC §3: exp/nbf leeway is at most 60 s */
#define JWT_MAX_PROJECTS 32
#define JWT_SLUG_MAX 64         /* bytes of one project slug, NUL included */

/* One accepted signing key. */
struct jwt_key {
	int alg;                     /* JWT_ALG_HS256, JWT_ALG_RS256 or JWT_ALG_ES256 (libjwt's enum) */
	const unsigned char *key;    /* HS256: the secret bytes; RS/ES: SubjectPublicKeyInfo PEM */
	size_t len;                  /* a key with len 0 is never used */
};

struct jwt_rules {
	const char *issuer;          /* NULL: not checked; else iss must equal it */
	const char *audience;        /* NULL: not checked; else aud (string, or array holding it) */
	int64_t now_s;               /* the clock, seconds since the epoch */
	int leeway_s;                /* 0..JWT_MAX_LEEWAY */
};

struct jwt_claims {
	char sub[256];
	char role[16];                                  /* "" when absent */
	char projects[JWT_MAX_PROJECTS][JWT_SLUG_MAX];  /* the "projects" array, in order */
	int nprojects;
	int64_t exp, nbf, iat;                          /* nbf, iat: 0 when absent */
	int alg;                                        /* the algorithm (and so the key) that verified it */
};

enum jwt_verify_rc {
	JWT_VERIFY_OK = 0,
	JWT_VERIFY_MISUSE = -1,      /* bad arguments or key configuration */
	JWT_VERIFY_MALFORMED = -2,   /* not three base64url segments of JSON */
	JWT_VERIFY_ALG = -3,         /* header alg not one configured */
	JWT_VERIFY_SIGNATURE = -4,   /* signature does not hold */
	JWT_VERIFY_EXPIRED = -5,
	JWT_VERIFY_NOT_YET = -6,     /* nbf in the future */
	JWT_VERIFY_CLAIMS = -7,      /* a claim missing or of the wrong type */
	JWT_VERIFY_ISSUER = -8,
	JWT_VERIFY_AUDIENCE = -9,
};

/*
 * Verifies a compact JWS (RFC 7519 / 7515) against keys[0..nkeys): the key is
 * the one whose alg is the header's alg, exactly. Returns JWT_VERIFY_OK with
 * *out filled, else an enum jwt_verify_rc with *out zeroed and *why a short
 * static reason (never any part of the token).
 */
int jwt_verify(const char *token, const struct jwt_key *keys, size_t nkeys,
    const struct jwt_rules *r, struct jwt_claims *out, const char **why);

/*
 * For login: an HS256 token with sub, iat = now_s, exp = now_s + ttl_s, and
 * iss / aud when not NULL. Caller frees; NULL on bad arguments or failure.
 */
char *jwt_issue_hs256(const unsigned char *secret, size_t len, const char *sub,
    int64_t now_s, int64_t ttl_s, const char *issuer, const char *audience);

#endif
