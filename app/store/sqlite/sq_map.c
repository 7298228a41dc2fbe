/* sq_map: growth of the backend's in-memory hash maps (rollups, traces). */
#include "sq.h"

#include <stdlib.h>
#include <string.h>

void *
sq_map_grow(void *items, size_t elem, size_t hash_off, size_t n, size_t *cap,
    size_t **slots, size_t *nslots, size_t first)
{
	size_t want = *nslots ? *nslots * 2 : first;
	size_t *sl = calloc(want, sizeof(*sl));
	void *grown = sl ? realloc(items, (want / 2) * elem) : NULL;

	if (grown == NULL) {
		free(sl);
		return NULL;
	}
	*cap = want / 2;
	for (size_t i = 0; i < n; i++) {
		uint64_t h;
		size_t j;
		memcpy(&h, (char *)grown + i * elem + hash_off, sizeof(h));
		for (j = h & (want - 1); sl[j]; j = (j + 1) & (want - 1))
			;
		sl[j] = i + 1;
	}
	free(*slots);
	*slots = sl;
	*nslots = want;
	return grown;
}
