#include "account_fields.h"

#include <string.h>

int
slug_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > SLUG_MAX || s[0] == '-')
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

void
slug_from_name(const char *name, char out[SLUG_MAX + 1])
{
	size_t o = 0;
	int dash = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p && o < 48; p++) {
		unsigned char ch = *p;
		if (ch >= 'A' && ch <= 'Z')
			ch = (unsigned char)(ch - 'A' + 'a');
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
			if (dash && o > 0)
				out[o++] = '-';
			out[o++] = (char)ch;
			dash = 0;
		} else
			dash = 1;
	}
	out[o] = '\0';
	if (o == 0)
		strcpy(out, "project");
}

int
email_normalize(const char *in, char out[EMAIL_MAX + 1])
{
	size_t n = strlen(in);
	const char *at = strchr(in, '@'), *dot;

	if (n == 0 || n > EMAIL_MAX || at == NULL || at == in || strchr(at + 1, '@') != NULL)
		return -1;
	dot = strrchr(at + 1, '.');
	if (dot == NULL || dot == at + 1 || dot[1] == '\0')
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)in[i];
		if (ch <= ' ' || ch == 0x7f)
			return -1;
		out[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
	}
	out[n] = '\0';
	return 0;
}
