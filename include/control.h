/* control: what the control-plane handlers share (accounts.c, projects.c, keys.c). */
#ifndef TALLY_CONTROL_H
#define TALLY_CONTROL_H

#include <json-c/json.h>

#include "account_fields.h"
#include "http.h"

struct project;
struct api_key;

/* {id, slug, name, created_at, role, settings{…}}: role left out when ROLE_NONE. */
json_object *control_project_json(const struct project *p, int role);
/* {id, kind, name, prefix, created_at, last_used_at, revoked_at}: never the key. */
json_object *control_key_json(const struct api_key *k);
#define SLUG_ATTEMPTS 12        /* other slugs tried before a made-up one gives up */

/* make(ctx, slug): 0 made, `taken` when the slug is in use, else its own code. */
typedef int (*control_slug_fn)(void *ctx, const char *slug);
/*
 * Calls make with the slug of name ("Web Shop" → web-shop) and, while it
 * answers `taken`, with base-2 … base-9 and then base-<random>, at most
 * SLUG_ATTEMPTS more times. Returns make's last answer.
 */
int control_slug_try(const char *name, int taken, control_slug_fn make, void *ctx);
/* The caller's projects with its role in each (memberships, or an external token's claims); NULL on failure. */
json_object *control_caller_projects(struct http_req *req);

#endif
