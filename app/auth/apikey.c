#include "auth.h"

#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "http.h"
#include "util.h"

static const char base62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void
auth_key_generate(int kind, char *out, char *prefix)
{
	size_t o;
	memcpy(out, kind == KEY_SECRET ? "tk_sec_" : "tk_pub_", 7);
	o = 7;
	while (o < KEY_LEN) {
		unsigned char b[64];
		util_random(b, sizeof(b));
		for (size_t i = 0; i < sizeof(b) && o < KEY_LEN; i++)
			if (b[i] < 248)     /* 248 = 4 × 62: keeps the draw uniform */
				out[o++] = base62[b[i] % 62];
	}
	out[KEY_LEN] = '\0';
	memcpy(prefix, out, KEY_PREFIX_LEN);
	prefix[KEY_PREFIX_LEN] = '\0';
}

int
auth_key_kind(const char *key)
{
	int kind;
	if (key == NULL || strlen(key) != KEY_LEN)
		return 0;
	if (strncmp(key, "tk_pub_", 7) == 0)
		kind = KEY_INGEST;
	else if (strncmp(key, "tk_sec_", 7) == 0)
		kind = KEY_SECRET;
	else
		return 0;
	for (size_t i = 7; i < KEY_LEN; i++)
		if (strchr(base62, key[i]) == NULL || key[i] == '\0')
			return 0;
	return kind;
}

void
auth_key_hash(const char *key, char out[65])
{
	util_sha256_hex(key, strlen(key), out);
}

/* "Basic base64(user:password)": the user is the key, the password must be empty. */
static enum auth_source
basic_key(const char *b64, char *key, size_t keylen)
{
	unsigned char dec[256];
	size_t n = strlen(b64);
	int len;
	char *colon;

	if (n == 0 || n % 4 != 0 || n / 4 * 3 >= sizeof(dec))
		return AUTH_MALFORMED;
	if ((len = EVP_DecodeBlock(dec, (const unsigned char *)b64, (int)n)) < 0)
		return AUTH_MALFORMED;
	/* EVP_DecodeBlock counts padding as zero bytes */
	if (n >= 1 && b64[n - 1] == '=')
		len--;
	if (n >= 2 && b64[n - 2] == '=')
		len--;
	dec[len] = '\0';
	if (memchr(dec, '\0', (size_t)len) != NULL ||
	    (colon = strchr((char *)dec, ':')) == NULL || colon[1] != '\0')
		return AUTH_MALFORMED;
	*colon = '\0';
	if (util_strlcpy(key, (char *)dec, keylen) >= keylen)
		return AUTH_MALFORMED;
	return AUTH_FOUND;
}

enum auth_source
auth_header_key(const struct http_req *req, char *key, size_t keylen)
{
	const char *h = http_param(req, "HTTP_AUTHORIZATION");

	if (h != NULL && *h != '\0') {
		if (strncasecmp(h, "Bearer ", 7) == 0) {
			h += 7;
			while (*h == ' ')
				h++;
			if (*h == '\0' || util_strlcpy(key, h, keylen) >= keylen)
				return AUTH_MALFORMED;
			return AUTH_FOUND;
		}
		if (strncasecmp(h, "Basic ", 6) == 0) {
			h += 6;
			while (*h == ' ')
				h++;
			return basic_key(h, key, keylen);
		}
		return AUTH_MALFORMED;
	}
	h = http_param(req, "HTTP_X_API_KEY");
	if (h != NULL && *h != '\0') {
		if (util_strlcpy(key, h, keylen) >= keylen)
			return AUTH_MALFORMED;
		return AUTH_FOUND;
	}
	return AUTH_NONE;
}
