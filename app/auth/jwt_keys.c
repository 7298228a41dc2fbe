#include "jwt_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "util.h"

#define SECRET_MIN 32
#define PUBLIC_KEY_MAX 16384

/* Reads a whole small file into buf (NUL-terminated); its length, or -1 with err set. */
static long
read_small(const char *what, const char *path, char *buf, size_t bufsz, struct stat *sb,
    char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	ssize_t got;

	if (fd < 0 || fstat(fd, sb) != 0) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (n < bufsz - 1 && (got = read(fd, buf + n, bufsz - 1 - n)) > 0)
		n += (size_t)got;
	close(fd);
	if (n == bufsz - 1) {
		snprintf(err, errlen, "%s %s: larger than %zu bytes", what, path, bufsz - 2);
		return -1;
	}
	buf[n] = '\0';
	return (long)n;
}

static int
load_secret(struct jwt_keyring *r, const char *path, char *err, size_t errlen)
{
	char buf[sizeof(r->secret) + 2];
	struct stat sb;
	long n;

	if (*path == '\0') {
		snprintf(err, errlen, "jwt_secret_file is empty: login tokens need a secret (tallyctl init creates one)");
		return -1;
	}
	if ((n = read_small("jwt_secret_file", path, buf, sizeof(buf), &sb, err, errlen)) < 0)
		return -1;
	if (sb.st_mode & (S_IRWXO | S_IWGRP)) {
		snprintf(err, errlen, "jwt_secret_file %s: mode %03o lets others read or change it; "
		    "chmod 0600 (or 0640 for the worker's group)", path, (unsigned)(sb.st_mode & 0777));
		return -1;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	if (n < SECRET_MIN) {
		snprintf(err, errlen, "jwt_secret_file %s: shorter than %d bytes", path, SECRET_MIN);
		return -1;
	}
	memcpy(r->secret, buf, (size_t)n);
	r->secret_len = (size_t)n;
	explicit_bzero(buf, sizeof(buf));
	r->keys[r->nkeys++] = (struct jwt_key){ JWT_ALG_HS256, r->secret, r->secret_len };
	return 0;
}

/* RS256 for an RSA key, ES256 for a P-256 key, else JWT_ALG_INVAL. */
static int
public_key_alg(const char *pem, size_t len)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *key = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	int alg = JWT_ALG_INVAL;
	char group[64];
	size_t glen;

	if (key != NULL) {
		if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA)
			alg = JWT_ALG_RS256;
		else if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC &&
		    EVP_PKEY_get_group_name(key, group, sizeof(group), &glen) == 1 &&
		    strcmp(group, "prime256v1") == 0)
			alg = JWT_ALG_ES256;
	}
	EVP_PKEY_free(key);
	BIO_free(bio);
	return alg;
}

static int
load_public(struct jwt_keyring *r, const char *path, char *err, size_t errlen)
{
	char *buf;
	struct stat sb;
	long n;
	int alg;

	if (*path == '\0')
		return 0;
	if ((buf = malloc(PUBLIC_KEY_MAX)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((n = read_small("jwt_public_key_file", path, buf, PUBLIC_KEY_MAX, &sb, err, errlen)) < 0) {
		free(buf);
		return -1;
	}
	if (strstr(buf, "-----BEGIN PUBLIC KEY-----") == NULL ||
	    (alg = public_key_alg(buf, (size_t)n)) == JWT_ALG_INVAL) {
		snprintf(err, errlen, "jwt_public_key_file %s: not an RSA or P-256 public key "
		    "in SubjectPublicKeyInfo PEM (-----BEGIN PUBLIC KEY-----)", path);
		free(buf);
		return -1;
	}
	r->public_pem = buf;
	r->keys[r->nkeys++] = (struct jwt_key){ alg, (const unsigned char *)buf, (size_t)n };
	return 0;
}

int
jwt_keyring_load(struct jwt_keyring *r, const struct cfg *cfg, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->issuer = cfg->jwt_issuer[0] ? cfg->jwt_issuer : NULL;
	r->audience = cfg->jwt_audience[0] ? cfg->jwt_audience : NULL;
	if (load_secret(r, cfg->jwt_secret_file, err, errlen) != 0 ||
	    load_public(r, cfg->jwt_public_key_file, err, errlen) != 0) {
		jwt_keyring_free(r);
		return -1;
	}
	return 0;
}

void
jwt_keyring_free(struct jwt_keyring *r)
{
	explicit_bzero(r->secret, sizeof(r->secret));
	free(r->public_pem);
	memset(r, 0, sizeof(*r));
}

int
jwt_keyring_verify(const struct jwt_keyring *r, const char *token, int64_t now_s,
    struct jwt_claims *out, const char **why)
{
	struct jwt_rules rules = { r->issuer, r->audience, now_s, JWT_LEEWAY_S };
	return jwt_verify(token, r->keys, r->nkeys, &rules, out, why);
}

char *
jwt_keyring_issue(const struct jwt_keyring *r, int64_t account_id, int64_t now_s, int64_t ttl_s)
{
	char sub[24];
	snprintf(sub, sizeof(sub), "%lld", (long long)account_id);
	return jwt_issue_hs256(r->secret, r->secret_len, sub, now_s, ttl_s, r->issuer, r->audience);
}
