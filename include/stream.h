/*
 * stream: the realtime stream (SPEC §9, docs/realtime.md). nginx's Nchan
 * module holds the subscribers; the worker only authenticates them and
 * redirects (X-Accel-Redirect) to their project's channel. A publisher
 * process of the pool posts snapshots and updates to Nchan.
 *
 * The workers and the publisher meet in a table in anonymous shared memory,
 * mapped by the pool's parent before it forks (so it survives any child):
 * per project, when it last committed data and when a subscriber last
 * asked for a snapshot. Marking is two atomic stores; nothing on the
 * ingest path waits for the publisher.
 */
#ifndef TALLY_STREAM_H
#define TALLY_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"

struct store;
struct jwt_keyring;

/* Projects the table tracks at once; a project beyond it gets no updates (logged once). */
#define STREAM_SLOTS 4096

enum stream_kind { STREAM_COSTS, STREAM_EVENTS };

/* Maps the shared table (MAP_SHARED | MAP_ANONYMOUS); call before the pool forks. NULL on failure. */
struct stream_table *stream_table_init(void);

/* The table of this process (set by stream_table_init; NULL: marks are no-ops). */
extern struct stream_table *stream_shared;

/* After a commit that stored data of the project: the publisher will send an update. */
void stream_mark_changed(int64_t project_id, int64_t now_ms);
/* A subscriber is being let in: the publisher makes sure a snapshot is the newest message. */
void stream_mark_wanted(int64_t project_id, int64_t now_ms);

/*
 * The channel id of a project's stream: hex HMAC-SHA256 of "costs:<id>" or
 * "events:<id>" keyed with the server's token secret, so a channel cannot be
 * guessed from a project id. out holds 65 bytes.
 */
void stream_channel(const unsigned char *secret, size_t secret_len, int kind,
    int64_t project_id, char out[65]);

/* For the publisher: slot i's project (0: a free slot) and its two marks. */
int64_t stream_slot_read(size_t i, int64_t *changed_ms, int64_t *wanted_ms);

/*
 * The publisher process: every 100 ms, for each project marked, computes
 * the payloads from the store and POSTs them to cfg->stream_publish_url
 * (an nginx nchan_publisher location on loopback). Opens its own store
 * (after fork). Returns when *stop becomes non-zero.
 */
int stream_publisher_run(const struct cfg *cfg, const struct jwt_keyring *jwt,
    volatile int *stop);

#endif
