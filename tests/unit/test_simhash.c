/* test_simhash: near-duplicate prompts within SIMHASH_NEAR bits, others far apart. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "simhash.h"
#include "tap.h"

static const char *const base =
    "Summarise the customer ticket below in two sentences and tag it with one of billing, "
    "shipping, account or other. Ticket: my parcel has not arrived after ten days and the "
    "tracking page shows no update since Monday";

int
main(void)
{
	char buf[1024];
	uint64_t h = simhash64(base);
	int far = 0, pairs = 0;

	ok(h == simhash64(base), "deterministic");
	is_int(simhash64(""), 0, "no words: 0");
	is_int(simhash64("  \t\n "), 0, "only spaces: 0");
	ok(simhash64("one") != 0, "one word hashes");
	is_int(simhash_distance(h, h), 0, "distance to itself is 0");
	is_int(simhash_distance(0, UINT64_MAX), 64, "distance counts every bit");

	snprintf(buf, sizeof(buf), "%s", base);
	for (char *p = buf; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 32);
	is_int(simhash_distance(h, simhash64(buf)), 0, "case does not matter");
	snprintf(buf, sizeof(buf), "  %s\n\n", base);
	is_int(simhash_distance(h, simhash64(buf)), 0, "nor surrounding white space");

	snprintf(buf, sizeof(buf), "%.*sTuesday", (int)(strlen(base) - strlen("Monday")), base);
	ok(simhash_distance(h, simhash64(buf)) <= SIMHASH_NEAR, "the last word changed: near (%d bits)",
	    simhash_distance(h, simhash64(buf)));
	snprintf(buf, sizeof(buf), "%s Thanks.", base);
	ok(simhash_distance(h, simhash64(buf)) <= SIMHASH_NEAR, "a word appended: near (%d bits)",
	    simhash_distance(h, simhash64(buf)));

	/* unrelated prompts are far apart */
	for (int i = 0; i < 40; i++)
		for (int j = i + 1; j < 40; j++) {
			char a[128], b[128];
			snprintf(a, sizeof(a), "translate document number %d into french for the legal team today", i * 7919);
			snprintf(b, sizeof(b), "what is the weather like in city %d this weekend for hiking trips", j * 104729);
			pairs++;
			far += simhash_distance(simhash64(a), simhash64(b)) > SIMHASH_NEAR;
		}
	is_int(far, pairs, "unrelated prompts never fall within the threshold");
	ok(simhash_distance(h, simhash64("You are a search assistant. Rank these forty documents by relevance "
	    "to the question about refund policy")) > 20, "a different prompt is far (> 20 bits)");
	return tap_done();
}
