/* auth: API keys (SPEC §2, §3): format, generation and where a request carries one. */
#ifndef TALLY_AUTH_H
#define TALLY_AUTH_H

#include <stddef.h>
#include <stdint.h>

struct http_req;

enum key_kind { KEY_INGEST = 1, KEY_SECRET = 2 };

#define KEY_RANDOM_CHARS 32     /* base62: 32 × 5.95 bits ≈ 190 bits */
#define KEY_LEN (7 + KEY_RANDOM_CHARS)
#define KEY_PREFIX_LEN 12       /* "tk_pub_" + 5 chars, shown in listings */

/* A member's role in a project (SPEC §2); each includes the ones below it. */
enum role { ROLE_NONE = 0, ROLE_VIEWER = 1, ROLE_ADMIN = 2, ROLE_OWNER = 3 };

/* "viewer", "admin", "owner" ("" for ROLE_NONE). */
const char *role_name(int role);
/* The role a name spells, else ROLE_NONE. */
int role_parse(const char *name);

/* Who the request is, once a credential has been checked. */
struct auth_ctx {
	int64_t project_id;     /* 0: no project (not authenticated, or a JWT on an account route) */
	int64_t key_id;         /* 0 for a JWT */
	int kind;               /* enum key_kind; 0 for a JWT */
	char project_slug[64];
	int ip_anonymize;       /* the project stores truncated client addresses */
	/* the project's rate limits (-1: the server's setting) */
	int64_t rate_key, rate_ip, rate_project;
	/* browser origins allowed to use the project's keys: a JSON array of strings, "[]" for any */
	char allowed_origins[1024];
	/* a JWT caller: the account (0 for an external token), its subject and role in the project */
	int jwt;
	int64_t account_id;
	char subject[256];
	int role;               /* enum role */
};

/* A new key of that kind into out[KEY_LEN + 1]; its listing prefix into prefix[KEY_PREFIX_LEN + 1]. */
void auth_key_generate(int kind, char *out, char *prefix);

/* Kind of a well-formed key (tk_pub_… / tk_sec_… + 32 base62), else 0. */
int auth_key_kind(const char *key);

/* The stored form of a key: SHA-256 hex. */
void auth_key_hash(const char *key, char out[65]);

enum auth_source { AUTH_NONE, AUTH_FOUND, AUTH_MALFORMED };

/*
 * The key a request carries in its headers, in SPEC §3 order: Authorization
 * Bearer, Authorization Basic (key as user name, empty password), X-API-Key.
 * Copies it into key (keylen bytes). A header that is present but not usable
 * is AUTH_MALFORMED.
 */
enum auth_source auth_header_key(const struct http_req *req, char *key, size_t keylen);

#endif
