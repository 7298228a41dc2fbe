/*
 * sq_funcs: SQL functions tally's statements use, registered on every
 * connection: tally_hist_add(a, b) merges two histograms (rollup upserts),
 * tally_hist_merge(h) is its aggregate (rollup reads). See include/hist.h.
 * tally_hll_union(a, b) is the union of two HyperLogLog sketches (event
 * rollup upserts; include/hll.h).
 */
#include "sq.h"

#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "hll.h"

static void
result_hist(sqlite3_context *ctx, const struct hist *h)
{
	unsigned char out[HIST_MAX_BYTES];
	size_t len = hist_encode(h, out);
	sqlite3_result_blob(ctx, out, (int)len, SQLITE_TRANSIENT);
}

/* A NULL or malformed blob adds nothing: a rollup stays readable. */
static void
merge_value(struct hist *h, sqlite3_value *v)
{
	const unsigned char *blob = sqlite3_value_blob(v);
	int len = sqlite3_value_bytes(v);
	struct hist tmp;

	if (blob == NULL || len <= 0)
		return;
	memset(&tmp, 0, sizeof(tmp));
	if (hist_merge_blob(&tmp, blob, (size_t)len) != 0)
		return;
	for (int b = 0; b < HIST_BUCKETS; b++)
		h->count[b] += tmp.count[b];
	h->total += tmp.total;
}

static void
hist_add_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct hist *h = calloc(1, sizeof(*h));
	if (h == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	for (int i = 0; i < argc; i++)
		merge_value(h, argv[i]);
	result_hist(ctx, h);
	free(h);
}

static void
hist_merge_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct hist *h = sqlite3_aggregate_context(ctx, sizeof(*h));   /* zeroed */
	(void)argc;
	if (h == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	merge_value(h, argv[0]);
}

static void
hist_merge_final(sqlite3_context *ctx)
{
	struct hist *h = sqlite3_aggregate_context(ctx, 0);
	struct hist empty;

	if (h == NULL) {
		memset(&empty, 0, sizeof(empty));
		h = &empty;
	}
	result_hist(ctx, h);
}

/*
 * The union of the stored sketch (a) and a transaction's (b). Most of a
 * busy hour's users are already in its sketch: then a comes back as it
 * is, and SQLite, seeing the same bytes, writes no page of it. A malformed
 * stored sketch adds nothing (hll_merge_blob checks a blob whole before
 * merging) rather than blocking the project's ingest.
 */
static void
hll_union_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct hll *h;
	unsigned char *out;
	size_t n;

	(void)argc;
	if (hll_blob_covers(sqlite3_value_blob(argv[0]), (size_t)sqlite3_value_bytes(argv[0]),
	    sqlite3_value_blob(argv[1]), (size_t)sqlite3_value_bytes(argv[1]))) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	if ((h = hll_new()) == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	for (int i = 0; i < 2; i++) {
		const void *blob = sqlite3_value_blob(argv[i]);
		int len = sqlite3_value_bytes(argv[i]);
		if (blob != NULL && len > 0)
			(void)hll_merge_blob(h, blob, (size_t)len);
	}
	if (hll_serialize(h, &out, &n) != 0) {
		hll_free(h);
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (n == 0)
		sqlite3_result_zeroblob(ctx, 0);
	else
		sqlite3_result_blob(ctx, out, (int)n, free);
	hll_free(h);
}

int
sq_funcs_register(sqlite3 *db)
{
	int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY;
	if (sqlite3_create_function_v2(db, "tally_hist_add", 2, flags, NULL, hist_add_fn,
	    NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(db, "tally_hist_merge", 1, flags, NULL, NULL,
	    hist_merge_step, hist_merge_final, NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(db, "tally_hll_union", 2, flags, NULL, hll_union_fn,
	    NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	return 0;
}
