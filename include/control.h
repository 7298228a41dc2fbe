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
/* The attempt-th other slug for a taken one: base-2 … base-9, then base-<6 random hex>. */
#define SLUG_ATTEMPTS 12        /* tries before a made-up slug gives up (409) */
void control_slug_variant(const char *base, int attempt, char out[SLUG_MAX + 1]);
/* The caller's projects with its role in each (memberships, or an external token's claims); NULL on failure. */
json_object *control_caller_projects(struct http_req *req);

#endif
