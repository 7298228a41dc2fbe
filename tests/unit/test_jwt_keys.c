/*
 * test_jwt_keys: loading the token keys from tally.conf (SPEC §3, §7
 * "JWT secret from a file with 0600"): the secret file's presence, length and
 * mode; the public key's type and curve; and a login token through the ring.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jwt.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cfg.h"
#include "jwt_keys.h"
#include "tap.h"

#define NOW 1800000000LL
#define SECRET "0123456789abcdef0123456789abcdef-server"   /* 39 bytes */

static char dir[] = "/tmp/tally-test-jwt-keys-XXXXXX";

/* dir/name holding len bytes of text with the given mode; its path (static, reused every 8th call). */
static const char *
file(const char *name, const char *text, size_t len, mode_t mode)
{
	static char path[8][512];
	static unsigned which;
	char *p = path[which++ % 8];
	FILE *f;

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	if ((f = fopen(p, "w")) == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0 ||
	    chmod(p, mode) != 0) {
		perror(p);
		exit(2);
	}
	return p;
}

static const char *
text_file(const char *name, const char *text, mode_t mode)
{
	return file(name, text, strlen(text), mode);
}

/* PEM text of what write() puts in a memory BIO; caller frees. */
static char *
pem_of(EVP_PKEY *pk, int private)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p, *out;
	long n;

	if (private)
		PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL);
	else
		PEM_write_bio_PUBKEY(b, pk);
	n = BIO_get_mem_data(b, &p);
	out = strndup(p, (size_t)n);
	BIO_free(b);
	return out;
}

/* A self-signed certificate of pk, in PEM; caller frees. */
static char *
cert_of(EVP_PKEY *pk)
{
	X509 *x = X509_new();
	BIO *b = BIO_new(BIO_s_mem());
	X509_NAME *name;
	char *p, *out;
	long n;

	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, pk);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"idp.test", -1, -1, 0);
	X509_set_issuer_name(x, name);
	X509_sign(x, pk, EVP_sha256());
	PEM_write_bio_X509(b, x);
	n = BIO_get_mem_data(b, &p);
	out = strndup(p, (size_t)n);
	BIO_free(b);
	X509_free(x);
	return out;
}

static struct cfg cfg;
static struct jwt_keyring ring;
static char err[512];

/* jwt_keyring_load with cfg; 0 or -1, err kept for the caller. */
static int
load(const char *secret_path, const char *public_path)
{
	cfg_defaults(&cfg);
	snprintf(cfg.jwt_secret_file, sizeof(cfg.jwt_secret_file), "%s", secret_path);
	snprintf(cfg.jwt_public_key_file, sizeof(cfg.jwt_public_key_file), "%s", public_path);
	err[0] = '\0';
	return jwt_keyring_load(&ring, &cfg, err, sizeof(err));
}

/* A load that must fail, with a message naming the file and no key left in the ring. */
static void
refused(const char *secret_path, const char *public_path, const char *named, const char *label)
{
	int rc = load(secret_path, public_path);
	ok(rc == -1 && strstr(err, named) != NULL && ring.nkeys == 0 && ring.secret_len == 0 &&
	    ring.public_pem == NULL, "%s", label);
	if (rc != -1 || strstr(err, named) == NULL)
		tap_diag("rc %d, err '%s'", rc, err);
	jwt_keyring_free(&ring);
}

/* A good secret plus this public key: the algorithm picked, or -1 when refused. */
static int
public_alg(const char *pem, size_t len)
{
	const char *sec = text_file("s", SECRET, 0600);
	const char *pub = file("pub.pem", pem, len, 0644);
	int alg = -1;

	if (load(sec, pub) == 0 && ring.nkeys == 2 && ring.keys[0].alg == JWT_ALG_HS256 &&
	    ring.public_pem != NULL)
		alg = ring.keys[1].alg;
	jwt_keyring_free(&ring);
	return alg;
}

/* An RS/ES token by libjwt with the private key, for the ring to verify; caller frees. */
static char *
signed_by(jwt_alg_t alg, const char *priv, const char *grants)
{
	jwt_t *j = NULL;
	char *t = NULL;
	if (jwt_new(&j) == 0 && jwt_add_grants_json(j, grants) == 0 &&
	    jwt_set_alg(j, alg, (const unsigned char *)priv, (int)strlen(priv)) == 0)
		t = jwt_encode_str(j);
	jwt_free(j);
	return t;
}

int
main(void)
{
	EVP_PKEY *rsa, *p256, *p384;
	char *rsa_pub, *rsa_priv, *p256_pub, *p256_priv, *p384_pub, *rsa_cert, *big;
	char text[600], rsa1[4096];
	const char *sec, *pub;
	struct jwt_claims c;
	const char *why;
	char *tok;
	BIO *b;
	int rc;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	rsa_pub = pem_of(rsa, 0);
	rsa_priv = pem_of(rsa, 1);
	p256_pub = pem_of(p256, 0);
	p256_priv = pem_of(p256, 1);
	p384_pub = pem_of(p384, 0);
	rsa_cert = cert_of(rsa);

	/* ---- the secret file ---- */
	refused(dir, "", dir, "a directory as the secret file refused");
	refused("/nonexistent/tally/jwt.secret", "", "/nonexistent/tally/jwt.secret",
	    "a missing secret file refused, named");
	refused("", "", "jwt_secret_file", "an empty jwt_secret_file refused");
	sec = text_file("short", "0123456789abcdef0123456789abcde", 0600);
	refused(sec, "", sec, "a 31-byte secret refused");
	sec = text_file("short-nl", "0123456789abcdef0123456789abcde\n \r\n", 0600);
	refused(sec, "", sec, "31 bytes and trailing blanks refused (blanks are not secret)");
	sec = text_file("empty", "", 0600);
	refused(sec, "", sec, "an empty secret file refused");
	sec = text_file("s644", SECRET, 0644);
	refused(sec, "", sec, "mode 0644 (world-readable) refused");
	sec = text_file("s660", SECRET, 0660);
	refused(sec, "", sec, "mode 0660 (group-writable) refused");
	sec = text_file("s604", SECRET, 0604);
	refused(sec, "", sec, "mode 0604 refused");
	sec = text_file("s602", SECRET, 0602);
	refused(sec, "", sec, "mode 0602 refused");
	sec = text_file("s620", SECRET, 0620);
	refused(sec, "", sec, "mode 0620 refused");
	memset(text, 'k', sizeof(text));
	sec = file("huge", text, sizeof(text), 0600);
	refused(sec, "", sec, "a secret larger than the ring holds refused");

	sec = text_file("s600", SECRET, 0600);
	rc = load(sec, "");
	ok(rc == 0 && ring.nkeys == 1 && ring.keys[0].alg == JWT_ALG_HS256 &&
	    ring.secret_len == strlen(SECRET) && memcmp(ring.secret, SECRET, strlen(SECRET)) == 0 &&
	    ring.public_pem == NULL && ring.issuer == NULL && ring.audience == NULL,
	    "mode 0600 accepted, the secret is the file's text, HS256 only");
	jwt_keyring_free(&ring);
	sec = text_file("s640", SECRET, 0640);
	ok(load(sec, "") == 0 && ring.nkeys == 1, "mode 0640 (the worker's group reads) accepted");
	jwt_keyring_free(&ring);
	sec = text_file("s400", SECRET, 0400);
	ok(load(sec, "") == 0, "mode 0400 accepted");
	jwt_keyring_free(&ring);
	sec = text_file("s32", "0123456789abcdef0123456789abcdef", 0600);
	ok(load(sec, "") == 0 && ring.secret_len == 32, "exactly 32 bytes accepted");
	jwt_keyring_free(&ring);
	sec = text_file("snl", SECRET "\r\n", 0600);
	ok(load(sec, "") == 0 && ring.secret_len == strlen(SECRET) &&
	    memcmp(ring.secret, SECRET, strlen(SECRET)) == 0, "a trailing newline is trimmed");
	jwt_keyring_free(&ring);

	/* ---- the public key file ---- */
	is_int(public_alg(rsa_pub, strlen(rsa_pub)), JWT_ALG_RS256, "an RSA public key PEM is an RS256 key");
	is_int(public_alg(p256_pub, strlen(p256_pub)), JWT_ALG_ES256, "a P-256 public key PEM is an ES256 key");
	is_int(public_alg(p384_pub, strlen(p384_pub)), -1, "a P-384 public key refused");
	is_int(public_alg(rsa_cert, strlen(rsa_cert)), -1, "a certificate PEM refused");
	is_int(public_alg(rsa_priv, strlen(rsa_priv)), -1, "an RSA private key PEM refused");
	is_int(public_alg(p256_priv, strlen(p256_priv)), -1, "a P-256 private key PEM refused");
	/* PKCS#1 "BEGIN RSA PUBLIC KEY" is not SubjectPublicKeyInfo (STACK-NOTES) */
	{
		OSSL_ENCODER_CTX *ectx = OSSL_ENCODER_CTX_new_for_pkey(rsa, EVP_PKEY_PUBLIC_KEY,
		    "PEM", "type-specific", NULL);
		b = BIO_new(BIO_s_mem());
		OSSL_ENCODER_to_bio(ectx, b);
		rc = BIO_read(b, rsa1, sizeof(rsa1) - 1);
		rsa1[rc > 0 ? rc : 0] = '\0';
		BIO_free(b);
		OSSL_ENCODER_CTX_free(ectx);
	}
	ok(strstr(rsa1, "BEGIN RSA PUBLIC KEY") != NULL, "a PKCS#1 RSA public key made");
	is_int(public_alg(rsa1, strlen(rsa1)), -1, "a PKCS#1 RSA public key refused");
	is_int(public_alg("not a key at all\n", 17), -1, "garbage refused");
	is_int(public_alg("", 0), -1, "an empty file refused");
	{
		const char fake[] = "-----BEGIN PUBLIC KEY-----\nAAAAAAAAAAAAAAAAAAAAAAAA\n-----END PUBLIC KEY-----\n";
		is_int(public_alg(fake, strlen(fake)), -1, "a PUBLIC KEY armour around garbage refused");
	}
	big = malloc(20000);
	memset(big, '\n', 20000);
	memcpy(big + 20000 - strlen(rsa_pub), rsa_pub, strlen(rsa_pub));
	is_int(public_alg(big, 20000), -1, "a public key file over 16 KB refused");
	free(big);
	sec = text_file("s", SECRET, 0600);
	refused(sec, "/nonexistent/idp.pem", "/nonexistent/idp.pem", "a missing public key file refused, named");
	pub = text_file("junk.pem", "garbage", 0644);
	refused(sec, pub, pub, "the refused public key file is named");
	pub = text_file("rsa.pem", rsa_pub, 0644);
	refused("/nonexistent/tally/jwt.secret", pub, "/nonexistent/tally/jwt.secret",
	    "a good public key does not stand in for a missing secret");

	/* ---- verify through the ring ---- */
	sec = text_file("s", SECRET, 0600);
	ok(load(sec, "") == 0, "ring loaded");
	tok = jwt_keyring_issue(&ring, 42, NOW, 3600);
	ok(tok != NULL, "a login token issued");
	rc = jwt_keyring_verify(&ring, tok, NOW, &c, &why);
	ok(rc == JWT_VERIFY_OK && strcmp(c.sub, "42") == 0 && c.alg == JWT_ALG_HS256 &&
	    c.iat == NOW && c.exp == NOW + 3600, "the issued token verifies: sub, iat, exp, alg");
	is_int(jwt_keyring_verify(&ring, tok, NOW + 3600 + JWT_LEEWAY_S, &c, &why), JWT_VERIFY_OK,
	    "accepted at exp + 60 s (the leeway)");
	is_int(jwt_keyring_verify(&ring, tok, NOW + 3600 + JWT_LEEWAY_S + 1, &c, &why), JWT_VERIFY_EXPIRED,
	    "refused at exp + 61 s");
	ok(c.sub[0] == '\0' && c.exp == 0, "claims zeroed on refusal");
	is_int(jwt_keyring_verify(&ring, tok, NOW + 3600 + 86400, &c, &why), JWT_VERIFY_EXPIRED,
	    "refused a day after exp");
	jwt_keyring_free(&ring);
	/* the same token under another secret */
	sec = text_file("s2", "another secret of thirty-two bytes, or more", 0600);
	ok(load(sec, "") == 0, "a ring with another secret");
	is_int(jwt_keyring_verify(&ring, tok, NOW, &c, &why), JWT_VERIFY_SIGNATURE,
	    "refused under another secret");
	jwt_keyring_free(&ring);
	free(tok);
	ok(jwt_keyring_issue(&ring, 42, NOW, 3600) == NULL, "a freed ring issues nothing");

	/* issuer and audience go into login tokens and are required back (the ring borrows the cfg's strings) */
	sec = text_file("s", SECRET, 0600);
	cfg_defaults(&cfg);
	snprintf(cfg.jwt_secret_file, sizeof(cfg.jwt_secret_file), "%s", sec);
	snprintf(cfg.jwt_issuer, sizeof(cfg.jwt_issuer), "https://tally.test/");
	snprintf(cfg.jwt_audience, sizeof(cfg.jwt_audience), "dashboard");
	ok(jwt_keyring_load(&ring, &cfg, err, sizeof(err)) == 0 && ring.issuer != NULL &&
	    strcmp(ring.audience, "dashboard") == 0, "issuer and audience taken from the config");
	tok = jwt_keyring_issue(&ring, 7, NOW, 60);
	is_int(jwt_keyring_verify(&ring, tok, NOW, &c, &why), JWT_VERIFY_OK, "a token with iss and aud verifies");
	snprintf(cfg.jwt_audience, sizeof(cfg.jwt_audience), "another");
	is_int(jwt_keyring_verify(&ring, tok, NOW, &c, &why), JWT_VERIFY_AUDIENCE,
	    "refused once the audience differs");
	snprintf(cfg.jwt_audience, sizeof(cfg.jwt_audience), "dashboard");
	snprintf(cfg.jwt_issuer, sizeof(cfg.jwt_issuer), "https://elsewhere.test/");
	is_int(jwt_keyring_verify(&ring, tok, NOW, &c, &why), JWT_VERIFY_ISSUER,
	    "refused once the issuer differs");
	jwt_keyring_free(&ring);
	free(tok);

	/* the public key's tokens through the ring; the ring's HS256 secret is not an RSA key */
	sec = text_file("s", SECRET, 0600);
	pub = text_file("rsa.pem", rsa_pub, 0644);
	ok(load(sec, pub) == 0, "ring with the RSA key");
	tok = signed_by(JWT_ALG_RS256, rsa_priv, "{\"sub\":\"idp|1\",\"exp\":1800000600,\"role\":\"viewer\",\"projects\":[\"a\"]}");
	rc = jwt_keyring_verify(&ring, tok, NOW, &c, &why);
	ok(rc == JWT_VERIFY_OK && c.alg == JWT_ALG_RS256 && strcmp(c.role, "viewer") == 0 &&
	    c.nprojects == 1, "an RS256 token of the configured key verifies");
	free(tok);
	tok = signed_by(JWT_ALG_ES256, p256_priv, "{\"sub\":\"idp|1\",\"exp\":1800000600}");
	is_int(jwt_keyring_verify(&ring, tok, NOW, &c, &why), JWT_VERIFY_ALG,
	    "an ES256 token refused where the key is RSA");
	free(tok);
	tok = signed_by(JWT_ALG_HS256, rsa_pub, "{\"sub\":\"1\",\"exp\":1800000600}");
	is_int(jwt_keyring_verify(&ring, tok, NOW, &c, &why), JWT_VERIFY_SIGNATURE,
	    "HS256 keyed with the public PEM refused (alg confusion)");
	free(tok);
	jwt_keyring_free(&ring);
	pub = text_file("ec.pem", p256_pub, 0644);
	ok(load(sec, pub) == 0, "ring with the P-256 key");
	tok = signed_by(JWT_ALG_ES256, p256_priv, "{\"sub\":\"idp|1\",\"exp\":1800000600}");
	rc = jwt_keyring_verify(&ring, tok, NOW, &c, &why);
	ok(rc == JWT_VERIFY_OK && c.alg == JWT_ALG_ES256, "an ES256 token of the configured key verifies");
	free(tok);
	jwt_keyring_free(&ring);
	jwt_keyring_free(&ring);
	ok(ring.nkeys == 0 && ring.public_pem == NULL, "freeing twice is harmless");

	free(rsa_pub);
	free(rsa_priv);
	free(p256_pub);
	free(p256_priv);
	free(p384_pub);
	free(rsa_cert);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(p256);
	EVP_PKEY_free(p384);
	{
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			tap_diag("could not remove %s", dir);
	}
	return tap_done();
}
