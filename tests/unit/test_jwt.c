/* test_jwt: bearer token verification (SPEC §3), forged and malformed tokens beside valid ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "jwt_verify.h"
#include "tap.h"

#define NOW 1800000000LL

static const unsigned char secret[] = "a server secret of some thirty-two bytes";
#define SECRET_LEN (sizeof(secret) - 1)

static char *rsa_pub, *rsa_priv, *ec_pub, *ec_priv;

/* PEM of a fresh key pair into malloc'd NUL-terminated strings. */
static void
keypair(EVP_PKEY *pk, char **pub, char **priv)
{
	BIO *b;
	char *p;
	long n;

	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PUBKEY(b, pk);
	n = BIO_get_mem_data(b, &p);
	*pub = strndup(p, (size_t)n);
	BIO_free(b);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL);
	n = BIO_get_mem_data(b, &p);
	*priv = strndup(p, (size_t)n);
	BIO_free(b);
	EVP_PKEY_free(pk);
}

static void
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
}

/* By hand: base64url(header).base64url(payload).HMAC-SHA256 with key (no signature if key NULL). */
static char *
hand(const char *header, const char *payload, const void *key, size_t keylen)
{
	size_t hl = strlen(header), pl = strlen(payload);
	char *t = malloc((hl + pl) * 2 + 128);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned maclen = 0;
	size_t n;

	b64url((const unsigned char *)header, hl, t);
	n = strlen(t);
	t[n++] = '.';
	b64url((const unsigned char *)payload, pl, t + n);
	n = strlen(t);
	if (key != NULL)
		HMAC(EVP_sha256(), key, (int)keylen, (unsigned char *)t, n, mac, &maclen);
	t[n++] = '.';
	b64url(mac, maclen, t + n);
	return t;
}

#define HS "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

/* HS256 by hand over the payload, with the server secret. */
static char *
hs(const char *payload)
{
	return hand(HS, payload, secret, SECRET_LEN);
}

/* Signed by libjwt with the claims of a JSON object. */
static char *
lib(jwt_alg_t alg, const char *key, size_t keylen, const char *grants)
{
	jwt_t *j = NULL;
	char *t = NULL;
	if (jwt_new(&j) == 0 && jwt_add_grants_json(j, grants) == 0 &&
	    jwt_set_alg(j, alg, (const unsigned char *)key, (int)keylen) == 0)
		t = jwt_encode_str(j);
	jwt_free(j);
	return t;
}

#define CLAIMS "{\"sub\":\"acct-1\",\"exp\":1800003600,\"iat\":1800000000}"

static struct jwt_key k_hs = { JWT_ALG_HS256, secret, SECRET_LEN };
static struct jwt_key k_rs, k_es;
static struct jwt_rules rules = { NULL, NULL, NOW, 60 };

/* jwt_verify's code for token under keys; frees token. */
static int
run(char *token, const struct jwt_key *keys, size_t nkeys, const struct jwt_rules *r,
    struct jwt_claims *c)
{
	struct jwt_claims tmp;
	const char *why = NULL;
	int rc;
	if (token == NULL)
		return 99;
	rc = jwt_verify(token, keys, nkeys, r, c ? c : &tmp, &why);
	if (why == NULL)
		rc = 98;        /* a reason is always given */
	free(token);
	return rc;
}

#define ONE(t, k, want, label) is_int(run((t), &(k), 1, &rules, NULL), (want), label)
#define CL(payload, want, label) ONE(hs(payload), k_hs, want, label)

int
main(void)
{
	struct jwt_claims c;
	struct jwt_key both[2], two[2];
	struct jwt_rules rr;
	char *t, *u, big[9000], pad[8000];
	int rc;

	keypair(EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048), &rsa_pub, &rsa_priv);
	keypair(EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), &ec_pub, &ec_priv);
	k_rs = (struct jwt_key){ JWT_ALG_RS256, (const unsigned char *)rsa_pub, strlen(rsa_pub) };
	k_es = (struct jwt_key){ JWT_ALG_ES256, (const unsigned char *)ec_pub, strlen(ec_pub) };

	/* valid tokens of each algorithm */
	rc = run(lib(JWT_ALG_HS256, (const char *)secret, SECRET_LEN, CLAIMS), &k_hs, 1, &rules, &c);
	ok(rc == 0 && strcmp(c.sub, "acct-1") == 0 && c.exp == NOW + 3600 && c.iat == NOW,
	    "HS256 from libjwt accepted, claims filled");
	rc = run(lib(JWT_ALG_RS256, rsa_priv, strlen(rsa_priv), CLAIMS), &k_rs, 1, &rules, &c);
	ok(rc == 0 && strcmp(c.sub, "acct-1") == 0, "RS256 accepted");
	rc = run(lib(JWT_ALG_ES256, ec_priv, strlen(ec_priv), CLAIMS), &k_es, 1, &rules, &c);
	ok(rc == 0 && strcmp(c.sub, "acct-1") == 0, "ES256 accepted");
	CL(CLAIMS, JWT_VERIFY_OK, "HS256 by hand accepted");
	rc = run(hs("{\"sub\":\"u\",\"exp\":1800003600,\"role\":\"admin\",\"projects\":[\"shop\",\"blog\"]}"),
	    &k_hs, 1, &rules, &c);
	ok(rc == 0 && strcmp(c.role, "admin") == 0 && c.nprojects == 2 &&
	    strcmp(c.projects[1], "blog") == 0 && c.nbf == 0, "role and projects read");
	CL("{\"sub\":\"u\",\"exp\":1800003600,\"projects\":\"shop\"}", JWT_VERIFY_CLAIMS,
	    "projects not an array refused");
	CL("{\"sub\":\"u\",\"exp\":1800003600,\"role\":\"administrator-of-all\"}", JWT_VERIFY_CLAIMS,
	    "role too long refused");

	/* alg none */
	ONE(hand("{\"alg\":\"none\"}", CLAIMS, NULL, 0), k_hs, JWT_VERIFY_MALFORMED,
	    "alg none without signature refused");
	ONE(hand("{\"alg\":\"none\"}", CLAIMS, secret, SECRET_LEN), k_hs, JWT_VERIFY_ALG,
	    "alg none with a signature refused");
	ONE(hand("{\"alg\":\"hs256\"}", CLAIMS, secret, SECRET_LEN), k_hs, JWT_VERIFY_ALG,
	    "lowercase hs256 refused");
	ONE(hand("{\"alg\":\"HS512\"}", CLAIMS, secret, SECRET_LEN), k_hs, JWT_VERIFY_ALG,
	    "HS512 (not configured) refused");
	ONE(hand("{\"typ\":\"JWT\"}", CLAIMS, secret, SECRET_LEN), k_hs, JWT_VERIFY_ALG,
	    "header without alg refused");
	ONE(hand("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", CLAIMS, secret, SECRET_LEN), k_hs,
	    JWT_VERIFY_ALG, "crit header refused");

	/* algorithm confusion: HS256 keyed with the RS256 public key PEM */
	ONE(hand(HS, CLAIMS, rsa_pub, strlen(rsa_pub)), k_rs, JWT_VERIFY_ALG,
	    "HS256 signed with the public PEM refused where RS256 is configured");
	both[0] = k_hs;
	both[1] = k_rs;
	is_int(run(hand(HS, CLAIMS, rsa_pub, strlen(rsa_pub)), both, 2, &rules, NULL),
	    JWT_VERIFY_SIGNATURE, "HS256 signed with the public PEM refused where HS256 and RS256 are configured");
	is_int(run(lib(JWT_ALG_RS256, rsa_priv, strlen(rsa_priv), CLAIMS), both, 2, &rules, NULL),
	    JWT_VERIFY_OK, "RS256 accepted where both are configured");
	ONE(lib(JWT_ALG_RS256, rsa_priv, strlen(rsa_priv), CLAIMS), k_hs, JWT_VERIFY_ALG,
	    "RS256 refused where only HS256 is configured");
	ONE(hs(CLAIMS), k_rs, JWT_VERIFY_ALG, "HS256 refused where only RS256 is configured");
	ONE(lib(JWT_ALG_ES256, ec_priv, strlen(ec_priv), CLAIMS), k_rs, JWT_VERIFY_ALG,
	    "ES256 refused where only RS256 is configured");
	ONE(lib(JWT_ALG_RS256, rsa_priv, strlen(rsa_priv), CLAIMS), k_es, JWT_VERIFY_ALG,
	    "RS256 refused where only ES256 is configured");

	/* signatures */
	t = hs(CLAIMS);
	u = strrchr(t, '.') + 5;
	*u = *u == 'A' ? 'B' : 'A';
	ONE(t, k_hs, JWT_VERIFY_SIGNATURE, "HS256 with one signature byte flipped refused");
	t = lib(JWT_ALG_RS256, rsa_priv, strlen(rsa_priv), CLAIMS);
	u = strrchr(t, '.') + 10;
	*u = *u == 'A' ? 'B' : 'A';
	ONE(t, k_rs, JWT_VERIFY_SIGNATURE, "RS256 with one signature byte flipped refused");
	t = lib(JWT_ALG_ES256, ec_priv, strlen(ec_priv), CLAIMS);
	u = strrchr(t, '.') + 10;
	*u = *u == 'A' ? 'B' : 'A';
	ONE(t, k_es, JWT_VERIFY_SIGNATURE, "ES256 with one signature byte flipped refused");
	t = hs(CLAIMS);
	u = strchr(t, '.') + 3;       /* the payload changed, the signature kept */
	*u = *u == 'A' ? 'B' : 'A';
	ok(run(t, &k_hs, 1, &rules, NULL) < 0, "HS256 with the payload altered refused");
	ONE(hand(HS, CLAIMS, "another secret", 14), k_hs, JWT_VERIFY_SIGNATURE,
	    "HS256 signed with another secret refused");

	/* shape */
	t = hs(CLAIMS);
	t[strlen(t) - 6] = '\0';
	ok(run(t, &k_hs, 1, &rules, NULL) < 0, "signature truncated refused");
	t = hs(CLAIMS);
	t[strlen(t) / 2] = '\0';
	ok(run(t, &k_hs, 1, &rules, NULL) < 0, "token cut in half refused");
	t = hs(CLAIMS);
	*strrchr(t, '.') = '\0';
	ONE(t, k_hs, JWT_VERIFY_MALFORMED, "two segments refused");
	t = hs(CLAIMS);
	u = malloc(strlen(t) + 8);
	sprintf(u, "%s.AAAA", t);
	free(t);
	ONE(u, k_hs, JWT_VERIFY_MALFORMED, "four segments refused");
	t = hs(CLAIMS);
	u = malloc(strlen(t) + 8);
	sprintf(u, "%s.", t);
	free(t);
	ONE(u, k_hs, JWT_VERIFY_MALFORMED, "trailing dot refused");
	t = hs(CLAIMS);
	u = strdup(strchr(t, '.'));
	free(t);
	ONE(u, k_hs, JWT_VERIFY_MALFORMED, "empty header segment refused");
	t = hs(CLAIMS);
	u = malloc(strlen(t) + 1);
	sprintf(u, "%.*s.%s", (int)(strchr(t, '.') - t), t, strrchr(t, '.'));
	free(t);
	ONE(u, k_hs, JWT_VERIFY_MALFORMED, "empty payload segment refused");
	ONE(strdup(""), k_hs, JWT_VERIFY_MALFORMED, "empty token refused");
	ONE(strdup(".."), k_hs, JWT_VERIFY_MALFORMED, "two dots refused");
	ONE(strdup("eyJ*bGci.e30.AAAA"), k_hs, JWT_VERIFY_MALFORMED, "garbage base64 refused");
	t = hs(CLAIMS);
	u = malloc(strlen(t) + 8);
	sprintf(u, "%s==", t);
	free(t);
	ONE(u, k_hs, JWT_VERIFY_MALFORMED, "base64 padding refused");
	t = hs(CLAIMS);
	u = malloc(strlen(t) + 8);
	sprintf(u, "%s+/", t);
	free(t);
	ONE(u, k_hs, JWT_VERIFY_MALFORMED, "standard base64 alphabet refused");
	ONE(hand("not json", CLAIMS, secret, SECRET_LEN), k_hs, JWT_VERIFY_MALFORMED,
	    "header not JSON refused");
	ONE(hand("[\"HS256\"]", CLAIMS, secret, SECRET_LEN), k_hs, JWT_VERIFY_MALFORMED,
	    "header a JSON array refused");
	ONE(hand(HS, "{\"sub\":\"a\"", secret, SECRET_LEN), k_hs, JWT_VERIFY_MALFORMED,
	    "payload not JSON refused");
	ONE(hand(HS, "{\"sub\":\"a\\u0000b\",\"exp\":1800003600}", secret, SECRET_LEN), k_hs,
	    JWT_VERIFY_MALFORMED, "NUL inside a claim refused");
	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	snprintf(big, sizeof(big), "{\"sub\":\"u\",\"exp\":1800003600,\"pad\":\"%.*s\"}", 6100, pad);
	ONE(hs(big), k_hs, JWT_VERIFY_MALFORMED, "token over 8 KiB refused");
	snprintf(big, sizeof(big), "{\"sub\":\"u\",\"exp\":1800003600,\"pad\":\"%.*s\"}", 5900, pad);
	t = hs(big);
	ok(strlen(t) > 7900 && strlen(t) <= 8192, "token just under 8 KiB built");
	ONE(t, k_hs, JWT_VERIFY_OK, "token just under 8 KiB accepted");

	/* exp, nbf, iat */
	CL("{\"sub\":\"u\"}", JWT_VERIFY_CLAIMS, "exp missing refused");
	CL("{\"sub\":\"u\",\"exp\":1799999939}", JWT_VERIFY_EXPIRED, "exp 61 s past refused");
	CL("{\"sub\":\"u\",\"exp\":1799999940}", JWT_VERIFY_OK, "exp 60 s past accepted (leeway)");
	CL("{\"sub\":\"u\",\"exp\":1800003600.0}", JWT_VERIFY_CLAIMS, "exp float refused");
	CL("{\"sub\":\"u\",\"exp\":\"1800003600\"}", JWT_VERIFY_CLAIMS, "exp string refused");
	CL("{\"sub\":\"u\",\"exp\":0}", JWT_VERIFY_CLAIMS, "exp 0 refused");
	CL("{\"sub\":\"u\",\"exp\":-5}", JWT_VERIFY_CLAIMS, "exp negative refused");
	CL("{\"sub\":\"u\",\"exp\":9223372036854775807}", JWT_VERIFY_OK, "exp INT64_MAX does not overflow");
	CL("{\"sub\":\"u\",\"exp\":1800003600,\"nbf\":1800000061}", JWT_VERIFY_NOT_YET,
	    "nbf 61 s ahead refused");
	CL("{\"sub\":\"u\",\"exp\":1800003600,\"nbf\":1800000060}", JWT_VERIFY_OK,
	    "nbf 60 s ahead accepted (leeway)");
	CL("{\"sub\":\"u\",\"exp\":1800003600,\"nbf\":1800000000.5}", JWT_VERIFY_CLAIMS,
	    "nbf float refused");
	CL("{\"sub\":\"u\",\"exp\":1800003600,\"iat\":\"now\"}", JWT_VERIFY_CLAIMS, "iat string refused");
	rr = rules;
	rr.leeway_s = 0;
	is_int(run(hs("{\"sub\":\"u\",\"exp\":1799999999}"), &k_hs, 1, &rr, NULL), JWT_VERIFY_EXPIRED,
	    "no leeway: exp 1 s past refused");
	rr.leeway_s = 3600;
	is_int(run(hs(CLAIMS), &k_hs, 1, &rr, NULL), JWT_VERIFY_MISUSE, "leeway over 60 s is misuse");

	/* iss, aud */
	rr = rules;
	rr.issuer = "https://id.example";
	rr.audience = "tally";
	is_int(run(hs("{\"sub\":\"u\",\"exp\":1800003600,\"iss\":\"https://id.example\",\"aud\":\"tally\"}"),
	    &k_hs, 1, &rr, NULL), JWT_VERIFY_OK, "iss and aud string matching accepted");
	is_int(run(hs("{\"sub\":\"u\",\"exp\":1800003600,\"iss\":\"https://evil.example\",\"aud\":\"tally\"}"),
	    &k_hs, 1, &rr, NULL), JWT_VERIFY_ISSUER, "wrong iss refused");
	is_int(run(hs("{\"sub\":\"u\",\"exp\":1800003600,\"aud\":\"tally\"}"),
	    &k_hs, 1, &rr, NULL), JWT_VERIFY_ISSUER, "missing iss refused when configured");
	is_int(run(hs("{\"sub\":\"u\",\"exp\":1800003600,\"iss\":\"https://id.example\",\"aud\":\"other\"}"),
	    &k_hs, 1, &rr, NULL), JWT_VERIFY_AUDIENCE, "wrong aud string refused");
	is_int(run(hs("{\"sub\":\"u\",\"exp\":1800003600,\"iss\":\"https://id.example\",\"aud\":[\"a\",\"b\"]}"),
	    &k_hs, 1, &rr, NULL), JWT_VERIFY_AUDIENCE, "aud array without the audience refused");
	is_int(run(hs("{\"sub\":\"u\",\"exp\":1800003600,\"iss\":\"https://id.example\",\"aud\":[\"a\",\"tally\"]}"),
	    &k_hs, 1, &rr, NULL), JWT_VERIFY_OK, "aud array holding the audience accepted");
	is_int(run(hs("{\"sub\":\"u\",\"exp\":1800003600,\"iss\":\"https://id.example\",\"aud\":[]}"),
	    &k_hs, 1, &rr, NULL), JWT_VERIFY_AUDIENCE, "empty aud array refused");
	is_int(run(hs("{\"sub\":\"u\",\"exp\":1800003600,\"iss\":\"https://id.example\"}"),
	    &k_hs, 1, &rr, NULL), JWT_VERIFY_AUDIENCE, "missing aud refused when configured");
	CL("{\"sub\":\"u\",\"exp\":1800003600,\"iss\":\"x\",\"aud\":\"y\"}", JWT_VERIFY_OK,
	    "iss and aud not checked when not configured");

	/* sub */
	CL("{\"exp\":1800003600}", JWT_VERIFY_CLAIMS, "missing sub refused");
	CL("{\"sub\":\"\",\"exp\":1800003600}", JWT_VERIFY_CLAIMS, "empty sub refused");
	CL("{\"sub\":42,\"exp\":1800003600}", JWT_VERIFY_CLAIMS, "sub number refused");
	snprintf(big, sizeof(big), "{\"sub\":\"%.*s\",\"exp\":1800003600}", 256, pad);
	CL(big, JWT_VERIFY_CLAIMS, "sub of 256 bytes refused");
	snprintf(big, sizeof(big), "{\"sub\":\"%.*s\",\"exp\":1800003600}", 255, pad);
	CL(big, JWT_VERIFY_OK, "sub of 255 bytes accepted");

	/* keys */
	{
		struct jwt_key empty = { JWT_ALG_HS256, (const unsigned char *)"", 0 };
		ONE(hand(HS, CLAIMS, "", 0), empty, JWT_VERIFY_ALG, "zero-length key never used (empty HMAC)");
		ONE(hand(HS, CLAIMS, "anything", 8), empty, JWT_VERIFY_ALG, "zero-length key never used (any HMAC)");
		two[0] = empty;
		two[1] = k_hs;
		is_int(run(hs(CLAIMS), two, 2, &rules, NULL), JWT_VERIFY_OK,
		    "zero-length key skipped, the next key of that alg used");
		is_int(run(hand(HS, CLAIMS, "anything", 8), two, 2, &rules, NULL), JWT_VERIFY_SIGNATURE,
		    "zero-length key skipped, forged HMAC refused");
	}
	is_int(run(hs(CLAIMS), NULL, 0, &rules, NULL), JWT_VERIFY_MISUSE, "no keys is misuse");
	is_int(jwt_verify(NULL, &k_hs, 1, &rules, &c, NULL), JWT_VERIFY_MISUSE, "NULL token is misuse");

	/* issuing */
	t = jwt_issue_hs256(secret, SECRET_LEN, "acct-7", NOW, 43200, "https://id.example", "tally");
	ok(t != NULL, "jwt_issue_hs256 issues");
	rr = rules;
	rr.issuer = "https://id.example";
	rr.audience = "tally";
	rc = run(t, &k_hs, 1, &rr, &c);
	ok(rc == 0 && strcmp(c.sub, "acct-7") == 0 && c.exp == NOW + 43200 && c.iat == NOW,
	    "issued token round-trips through jwt_verify");
	t = jwt_issue_hs256(secret, SECRET_LEN, "acct-7", NOW, 43200, NULL, NULL);
	rr.now_s = NOW + 43200 + 61;
	is_int(run(t, &k_hs, 1, &rr, NULL), JWT_VERIFY_EXPIRED, "issued token expires after its ttl");
	t = jwt_issue_hs256(secret, SECRET_LEN, "acct-7", NOW, 60, NULL, NULL);
	is_int(run(t, &k_rs, 1, &rules, NULL), JWT_VERIFY_ALG, "issued token refused where only RS256 is configured");
	t = jwt_issue_hs256(secret, SECRET_LEN, "acct-7", NOW, 60, NULL, NULL);
	{
		struct jwt_key other = { JWT_ALG_HS256, (const unsigned char *)"other", 5 };
		ONE(t, other, JWT_VERIFY_SIGNATURE, "issued token refused under another secret");
	}
	ok(jwt_issue_hs256(secret, 0, "acct-7", NOW, 60, NULL, NULL) == NULL, "issue refuses an empty secret");
	ok(jwt_issue_hs256(secret, SECRET_LEN, "", NOW, 60, NULL, NULL) == NULL, "issue refuses an empty sub");
	ok(jwt_issue_hs256(secret, SECRET_LEN, "a", NOW, 0, NULL, NULL) == NULL, "issue refuses a ttl of 0");

	free(rsa_pub);
	free(rsa_priv);
	free(ec_pub);
	free(ec_priv);
	return tap_done();
}
