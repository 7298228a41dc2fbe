/*
 * jwt_keys: the token keys a worker trusts, loaded once at start from
 * tally.conf (SPEC §3): the server's HS256 secret (jwt_secret_file, required)
 * and an identity provider's public key (jwt_public_key_file, optional;
 * RS256 for an RSA key, ES256 for a P-256 one). The algorithm of each key is
 * fixed here, never taken from a token.
 */
#ifndef TALLY_JWT_KEYS_H
#define TALLY_JWT_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "jwt_verify.h"

#define JWT_LEEWAY_S 60

struct jwt_keyring {
	unsigned char secret[512];
	size_t secret_len;
	char *public_pem;               /* NULL without jwt_public_key_file */
	struct jwt_key keys[2];
	size_t nkeys;
	const char *issuer, *audience;  /* from the cfg (NULL when unset); it must outlive the ring */
};

/*
 * Loads the keys named by cfg. Refuses (-1, err naming the file) a missing,
 * short (< 32 bytes) or group-writable / world-readable secret, and a public
 * key that is not an RSA or P-256 SubjectPublicKeyInfo PEM.
 */
int jwt_keyring_load(struct jwt_keyring *r, const struct cfg *cfg, char *err, size_t errlen);
void jwt_keyring_free(struct jwt_keyring *r);

/* jwt_verify with the ring's keys, issuer, audience and a 60 s leeway. */
int jwt_keyring_verify(const struct jwt_keyring *r, const char *token, int64_t now_s,
    struct jwt_claims *out, const char **why);

/* A login token (HS256) whose sub is the account id; caller frees. */
char *jwt_keyring_issue(const struct jwt_keyring *r, int64_t account_id, int64_t now_s,
    int64_t ttl_s);

#endif
