/* account_fields: what a valid email, project slug and project name are (SPEC §2, §6). */
#ifndef TALLY_ACCOUNT_FIELDS_H
#define TALLY_ACCOUNT_FIELDS_H

#include <stddef.h>

#define SLUG_MAX 63
#define PROJECT_NAME_MAX 199
#define EMAIL_MAX 254

/* Slugs go into URLs and headers: 1-63 of a-z, 0-9 and '-', not starting with '-'. */
int slug_ok(const char *s);

/* A slug made from a project name ("Web Shop!" → "web-shop"); "project" when nothing is left. */
void slug_from_name(const char *name, char out[SLUG_MAX + 1]);

/*
 * The lower-cased form of an email into out (EMAIL_MAX + 1 bytes): one '@'
 * with something before it and a dotted domain after, no spaces or control
 * characters, at most EMAIL_MAX bytes. 0, or -1 when it is not an email.
 */
int email_normalize(const char *in, char out[EMAIL_MAX + 1]);

#endif
