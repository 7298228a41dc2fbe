/*
 * store_backend: what a storage backend provides. store.c dispatches every
 * store_* call through this table; app/store/sqlite/ is one backend, a
 * PostgreSQL one adds a table of its own and a line in store_open.
 */
#ifndef TALLY_STORE_BACKEND_H
#define TALLY_STORE_BACKEND_H

#include "store.h"

struct store_backend {
	const char *name;
	void (*close)(struct store *);
	int (*migrate)(struct store *, int *, char *, size_t);
	int (*schema_version)(struct store *, int *, int *);
	int (*ping)(struct store *);
	int (*project_create)(struct store *, const char *, const char *, struct project *);
	int (*project_get)(struct store *, const char *, struct project *);
	int (*project_list)(struct store *, store_project_cb, void *);
	int (*key_create)(struct store *, int64_t, int, const char *, const char *, const char *, struct api_key *);
	int (*key_list)(struct store *, int64_t, store_key_cb, void *);
	int (*key_revoke)(struct store *, int64_t);
	int (*key_auth)(struct store *, const char *, struct auth_ctx *);
	int (*events_insert)(struct store *, const struct ingest_meta *, const struct event *, size_t,
	    unsigned char *, int64_t *, int64_t *);
	int (*events_list)(struct store *, int64_t, const struct event_filter *, store_event_cb, void *);
	int (*user_get)(struct store *, int64_t, const char *, store_user_cb, void *);
	int (*user_delete)(struct store *, int64_t, const char *, struct user_erase_counts *);
};

/* Every backend's handle starts with this. */
struct store {
	const struct store_backend *be;
};

struct store *sqlite_store_open(const struct cfg *cfg, enum store_mode mode, char *err, size_t errlen);

#endif
