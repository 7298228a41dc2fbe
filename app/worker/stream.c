/*
 * stream: the table of projects with something to publish, shared by the
 * workers and the publisher, and the channel ids (include/stream.h).
 */
#include "stream.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "log.h"
#include "util.h"

struct stream_slot {
	_Atomic int64_t project_id;     /* 0: free; set once, never freed */
	_Atomic int64_t changed_ms;     /* the last commit that stored its data */
	_Atomic int64_t wanted_ms;      /* the last subscriber let in */
};

struct stream_table {
	struct stream_slot slot[STREAM_SLOTS];
	_Atomic int full_logged;
};

struct stream_table *stream_shared;

struct stream_table *
stream_table_init(void)
{
	struct stream_table *t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t == MAP_FAILED)
		return NULL;
	memset(t, 0, sizeof(*t));      /* already zero; said for the reader */
	stream_shared = t;
	return t;
}

/* The project's slot, claimed with a compare-and-swap when new; NULL when the table is full. */
static struct stream_slot *
slot_of(int64_t project_id)
{
	struct stream_table *t = stream_shared;
	uint64_t h = (uint64_t)project_id * 0x9E3779B97F4A7C15ull;

	if (t == NULL || project_id <= 0)
		return NULL;
	for (size_t i = 0; i < STREAM_SLOTS; i++) {
		struct stream_slot *s = &t->slot[(h + i) % STREAM_SLOTS];
		int64_t id = atomic_load_explicit(&s->project_id, memory_order_acquire);
		if (id == project_id)
			return s;
		if (id == 0) {
			int64_t expect = 0;
			if (atomic_compare_exchange_strong(&s->project_id, &expect, project_id) ||
			    expect == project_id)
				return s;
		}
	}
	if (!atomic_exchange(&t->full_logged, 1))
		log_msg(LOG_WARN, "the stream table is full (%d projects): further projects get no "
		    "realtime updates until the pool restarts", STREAM_SLOTS);
	return NULL;
}

void
stream_mark_changed(int64_t project_id, int64_t now_ms)
{
	struct stream_slot *s = slot_of(project_id);
	if (s != NULL)
		atomic_store_explicit(&s->changed_ms, now_ms, memory_order_release);
}

void
stream_mark_wanted(int64_t project_id, int64_t now_ms)
{
	struct stream_slot *s = slot_of(project_id);
	if (s != NULL)
		atomic_store_explicit(&s->wanted_ms, now_ms, memory_order_release);
}

/* For the publisher: slot i's project (0: free) and its two marks. */
int64_t
stream_slot_read(size_t i, int64_t *changed_ms, int64_t *wanted_ms)
{
	struct stream_slot *s = &stream_shared->slot[i];
	int64_t id = atomic_load_explicit(&s->project_id, memory_order_acquire);

	*changed_ms = atomic_load_explicit(&s->changed_ms, memory_order_acquire);
	*wanted_ms = atomic_load_explicit(&s->wanted_ms, memory_order_acquire);
	return id;
}

void
stream_channel(const unsigned char *secret, size_t secret_len, int kind, int64_t project_id,
    char out[65])
{
	unsigned char mac[32];
	unsigned int maclen = 0;
	char text[48];
	int n = snprintf(text, sizeof(text), "%s:%lld", kind == STREAM_COSTS ? "costs" : "events",
	    (long long)project_id);

	HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)text, (size_t)n, mac,
	    &maclen);
	util_hex_encode(mac, sizeof(mac), out);
}
