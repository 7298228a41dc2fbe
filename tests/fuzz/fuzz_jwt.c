/*
 * fuzz_jwt: libFuzzer target for jwt_verify. A fuzzer cannot forge a
 * signature, so the first byte picks how the rest is used:
 *
 *   bit 0 clear: the rest is a raw compact token, verified against an HS256
 *                secret, an RSA and a P-256 public key (the shape, base64url,
 *                header and alg checks; seeds signed offline reach the claims);
 *   bit 0 set:   the rest is "header-json\0payload-json" (no NUL: the payload
 *                under an HS256 header); the harness encodes both and signs
 *                them with HMAC-SHA256 itself, so the claim checks are reached.
 *                Bits 3-4 pick the HMAC key: the secret, or (alg confusion,
 *                which must never verify) the RSA or the EC public key PEM.
 *   bit 1 / 2:   the rules require an issuer / an audience.
 *   bit 5:       the HS256 key is left out, so HS256 tokens have no key.
 *
 * The clock is fixed, the leeway 60 s. Besides ASan/UBSan findings it aborts
 * when a result breaks the contract of jwt_verify.h: a refusal leaves the
 * claims zeroed with a static reason; an acceptance holds exactly the
 * payload's claims, within the rules, from the key of the header's alg.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "json_strict.h"
#include "jwt_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1800000000LL
#define LEEWAY 60
#define ISSUER "https://tally.example"
#define AUDIENCE "tally-dashboard"

static const char secret[] = "a server secret of some thirty-two bytes";

/* Public halves only; the private keys signed the seed corpus and were dropped. */
static const char rsa_pub[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAkPOglerK0Hbm/lB1Tft9\n"
    "ufsjvgKG0zHP6Sw52hpyhcoAAkj4sb+JhrVSnpbuAq/amrPBzO3SDRokC210HE1m\n"
    "scBpfdML3CqPpf1X0l0IvgH0upqCy2pbX3+4dth4JDpHBEu8659GKWDI6F2H4kJH\n"
    "DJ2YyM4MN7dYnSMLZpXhuMd3hqPgPvXrH1uewy0wix1CXHHMmKhMgEAN2jNE8b/m\n"
    "+XwK82tNl5O05+msKb0mpxt9IGkHKvDP58pPJnHCIS7T8H+aN3f0ADZm+B5N7lyo\n"
    "+60hMJhoFzHLe4XVPwRjNwws2wiVrvsbtnOm1OzfGPuSYpxvEjwgO9WYbNmdlQgj\n"
    "JwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";
static const char ec_pub[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEkieCvHziqwfaXTgdPBmGxn5Stlp8\n"
    "kpZx4LXuNsl2ZZJgaqYcuXEcuPYCxM1a8ya7m82lEXV2g9dv7/pVceETyQ==\n"
    "-----END PUBLIC KEY-----\n";

static const struct jwt_key keys[] = {
	{ JWT_ALG_HS256, (const unsigned char *)secret, sizeof(secret) - 1 },
	{ JWT_ALG_RS256, (const unsigned char *)rsa_pub, sizeof(rsa_pub) - 1 },
	{ JWT_ALG_ES256, (const unsigned char *)ec_pub, sizeof(ec_pub) - 1 },
};

#define DEFAULT_HEADER "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

/* base64url without padding of in[0..n) into out (4 * n / 3 + 3 bytes), NUL-terminated. */
static size_t
b64url(const unsigned char *in, size_t n, char *out)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = a[(v >> 18) & 63];
		out[o++] = a[(v >> 12) & 63];
		if (i + 1 < n)
			out[o++] = a[(v >> 6) & 63];
		if (i + 2 < n)
			out[o++] = a[v & 63];
	}
	out[o] = '\0';
	return o;
}

/* b64url(header).b64url(payload).HMAC-SHA256(key) over the first two; caller frees. */
static char *
sign(const char *h, size_t hl, const char *p, size_t pl, const void *key, size_t keylen)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned maclen = 0;
	char *t;
	size_t n;

	if ((t = malloc((hl + pl) / 3 * 4 + 4 * EVP_MAX_MD_SIZE / 3 + 16)) == NULL)
		return NULL;
	n = b64url((const unsigned char *)h, hl, t);
	t[n++] = '.';
	n += b64url((const unsigned char *)p, pl, t + n);
	if (HMAC(EVP_sha256(), key, (int)keylen, (unsigned char *)t, n, mac, &maclen) == NULL) {
		free(t);
		return NULL;
	}
	t[n++] = '.';
	b64url(mac, maclen, t + n);
	return t;
}

/*
 * The JSON of one segment of an accepted token, decoded leniently by OpenSSL
 * (jwt_verify already refused anything but canonical base64url). Caller puts.
 */
static json_object *
segment(const char *s, size_t n)
{
	char *in, *out;
	size_t pad = (4 - n % 4) % 4;
	int len;
	json_object *o = NULL;

	if ((in = malloc(n + pad + 1)) == NULL || (out = malloc(n + pad + 1)) == NULL)
		abort();
	for (size_t i = 0; i < n; i++)
		in[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	memset(in + n, '=', pad);
	len = EVP_DecodeBlock((unsigned char *)out, (unsigned char *)in, (int)(n + pad));
	if (len < (int)pad)
		abort();
	out[len - (int)pad] = '\0';
	if ((o = json_tokener_parse(out)) == NULL || !json_object_is_type(o, json_type_object))
		abort();
	free(in);
	free(out);
	return o;
}

/* A string member of o, or NULL. */
static const char *
member(json_object *o, const char *name)
{
	json_object *v;

	return json_object_object_get_ex(o, name, &v) ? json_str(v) : NULL;
}

static int
terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* An accepted token: the claims hold exactly what the payload says, within the rules. */
static void
check_ok(const char *token, const struct jwt_rules *r, const struct jwt_claims *c)
{
	const char *dot1 = strchr(token, '.'), *dot2 = strrchr(token, '.'), *s;
	json_object *h, *p, *v;

	if (c->exp <= 0 || c->exp < NOW - LEEWAY || c->nbf > NOW + LEEWAY)
		abort();
	if (!terminated(c->sub, sizeof(c->sub)) || c->sub[0] == '\0' ||
	    !terminated(c->role, sizeof(c->role)) ||
	    c->nprojects < 0 || c->nprojects > JWT_MAX_PROJECTS)
		abort();
	for (int i = 0; i < JWT_MAX_PROJECTS; i++) {
		const char *slug = c->projects[i];
		if (!terminated(slug, JWT_SLUG_MAX) || (i < c->nprojects) != (slug[0] != '\0'))
			abort();
	}
	if (c->alg != JWT_ALG_HS256 && c->alg != JWT_ALG_RS256 && c->alg != JWT_ALG_ES256)
		abort();

	if (dot1 == NULL || dot2 == dot1)
		abort();
	h = segment(token, (size_t)(dot1 - token));
	p = segment(dot1 + 1, (size_t)(dot2 - dot1 - 1));

	/* the key that verified is the one of the header's alg, by its exact name */
	s = member(h, "alg");
	if (s == NULL || strcmp(s, c->alg == JWT_ALG_HS256 ? "HS256" :
	    c->alg == JWT_ALG_RS256 ? "RS256" : "ES256") != 0)
		abort();
	if (json_object_object_get_ex(h, "crit", NULL))
		abort();

	if (!json_object_object_get_ex(p, "exp", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) != c->exp)
		abort();
	if ((s = member(p, "sub")) == NULL || strcmp(s, c->sub) != 0)
		abort();
	if (strcmp((s = member(p, "role")) ? s : "", c->role) != 0)
		abort();
	if (r->issuer != NULL && ((s = member(p, "iss")) == NULL || strcmp(s, r->issuer) != 0))
		abort();
	if (r->audience != NULL) {
		int found = 0;
		if (!json_object_object_get_ex(p, "aud", &v))
			abort();
		if ((s = json_str(v)) != NULL)
			found = strcmp(s, r->audience) == 0;
		else if (json_object_is_type(v, json_type_array))
			for (size_t i = 0; i < json_object_array_length(v); i++)
				if ((s = json_str(json_object_array_get_idx(v, i))) != NULL &&
				    strcmp(s, r->audience) == 0)
					found = 1;
		if (!found)
			abort();
	}
	if (json_object_object_get_ex(p, "projects", &v)) {
		if (!json_object_is_type(v, json_type_array) ||
		    (int)json_object_array_length(v) != c->nprojects)
			abort();
		for (int i = 0; i < c->nprojects; i++)
			if ((s = json_str(json_object_array_get_idx(v, (size_t)i))) == NULL ||
			    strcmp(s, c->projects[i]) != 0)
				abort();
	} else if (c->nprojects != 0)
		abort();
	json_object_put(h);
	json_object_put(p);
}

static void
check(const char *token, const struct jwt_key *k, size_t nk, const struct jwt_rules *r,
    int confused)
{
	static const struct jwt_claims zero;
	struct jwt_claims c;
	const char *why = NULL;
	int rc;

	memset(&c, 0xa5, sizeof(c));        /* jwt_verify must zero or fill all of it */
	rc = jwt_verify(token, k, nk, r, &c, &why);
	if (rc == JWT_VERIFY_OK) {
		size_t i;
		if (confused)           /* HMAC keyed with a public key: alg confusion */
			abort();
		for (i = 0; i < nk && k[i].alg != c.alg; i++)
			;
		if (i == nk)            /* verified without a key of its alg */
			abort();
		check_ok(token, r, &c);
		return;
	}
	if (rc < JWT_VERIFY_AUDIENCE || rc > JWT_VERIFY_MALFORMED)
		abort();
	if (memcmp(&c, &zero, sizeof(c)) != 0)
		abort();
	/* a static reason: never empty, never a piece of the token */
	if (why == NULL || why[0] == '\0' ||
	    (why >= token && why <= token + strlen(token)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jwt_rules r = { NULL, NULL, NOW, LEEWAY };
	const struct jwt_key *k = keys;
	size_t nk = sizeof(keys) / sizeof(keys[0]);
	const void *key = secret;
	size_t keylen = sizeof(secret) - 1;
	char *buf, *tok;
	const char *nul;
	int confused = 0;

	if (size == 0 || size > 2 * JWT_MAX_TOKEN)  /* beyond that only "too long" */
		return 0;
	if (data[0] & 2)
		r.issuer = ISSUER;
	if (data[0] & 4)
		r.audience = AUDIENCE;
	if (data[0] & 32)
		k++, nk--;      /* keys[0] is the HS256 secret */
	if ((buf = malloc(size)) == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';

	if (!(data[0] & 1)) {
		check(buf, k, nk, &r, 0);     /* a token is a C string: it stops at a NUL */
		free(buf);
		return 0;
	}

	switch ((data[0] >> 3) & 3) {
	case 2:
		key = rsa_pub, keylen = sizeof(rsa_pub) - 1, confused = 1;
		break;
	case 3:
		key = ec_pub, keylen = sizeof(ec_pub) - 1, confused = 1;
		break;
	}
	if ((nul = memchr(buf, '\0', size - 1)) != NULL)
		tok = sign(buf, (size_t)(nul - buf), nul + 1, size - 2 - (size_t)(nul - buf),
		    key, keylen);
	else
		tok = sign(DEFAULT_HEADER, strlen(DEFAULT_HEADER), buf, size - 1, key, keylen);
	if (tok != NULL)
		check(tok, k, nk, &r, confused);
	free(tok);
	free(buf);
	return 0;
}
