/*
 * stream: the realtime channel ids (HMAC-SHA256, checked against openssl
 * dgst -hmac) and the shared table the workers mark and the publisher reads
 * (include/stream.h, docs/realtime.md).
 */
#include <stdint.h>
#include <string.h>

#include "log.h"
#include "stream.h"
#include "tap.h"

static const unsigned char secret[] = "a server secret of at least 32 bytes!";

/* The slot of a project as the publisher sees it: 1 found, 0 not. */
static int
find(int64_t project, int64_t *changed, int64_t *wanted)
{
	for (size_t i = 0; i < STREAM_SLOTS; i++)
		if (stream_slot_read(i, changed, wanted) == project)
			return 1;
	return 0;
}

int
main(void)
{
	char a[65], b[65], c[65];
	int64_t changed = -1, wanted = -1;
	size_t n = sizeof(secret) - 1;

	log_set_level(LOG_ERROR + 1);

	/* printf 'costs:1' | openssl dgst -sha256 -hmac 'a server secret of at least 32 bytes!' */
	stream_channel(secret, n, STREAM_COSTS, 1, a);
	is_str(a, "0fd1eb60d022837e6b9dcde2ad5bf4ba9dd13cc3ed5ac6187698213f0192c4af", "costs:1");
	stream_channel(secret, n, STREAM_EVENTS, 1, b);
	is_str(b, "e526ef4e20860497892437a821d7b572819839bbda83056e180de58210e059c6", "events:1");
	stream_channel(secret, n, STREAM_COSTS, 11, c);
	ok(strcmp(a, c) != 0, "another project, another channel");
	is_int((long long)strlen(c), 64, "64 hex digits");
	stream_channel((const unsigned char *)"another secret of at least 32 bytes!!", n, STREAM_COSTS, 1, c);
	ok(strcmp(a, c) != 0, "another secret, another channel");

	/* before the table is mapped, marks do nothing (tallyctl, unit tests) */
	stream_mark_changed(7, 100);
	ok(stream_shared == NULL, "no table yet");

	ok(stream_table_init() != NULL, "the table is mapped");
	ok(!find(7, &changed, &wanted), "empty at first");
	stream_mark_changed(7, 100);
	ok(find(7, &changed, &wanted) && changed == 100 && wanted == 0, "a commit is marked");
	stream_mark_wanted(7, 150);
	stream_mark_changed(7, 200);
	ok(find(7, &changed, &wanted) && changed == 200 && wanted == 150, "the latest marks win, one slot");
	stream_mark_changed(0, 300);
	stream_mark_changed(-5, 300);
	ok(!find(0, &changed, &wanted) || changed == 0, "project 0 is never marked");
	ok(!find(-5, &changed, &wanted), "negative ids are never marked");

	/* full: a project beyond STREAM_SLOTS is dropped, the others keep working */
	for (int64_t id = 1000; id < 1000 + STREAM_SLOTS - 1; id++)
		stream_mark_changed(id, id);
	stream_mark_changed(999999, 1);
	ok(!find(999999, &changed, &wanted), "beyond the table: dropped");
	stream_mark_changed(7, 400);
	ok(find(7, &changed, &wanted) && changed == 400, "a known project still updates when full");
	ok(find(1000 + STREAM_SLOTS - 2, &changed, &wanted) && changed == 1000 + STREAM_SLOTS - 2,
	    "the last one that fitted");
	return tap_done();
}
