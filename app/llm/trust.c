/* trust: the decayed Beta(1,1) trust score of SPEC §5.3 (see include/trust.h). */
#include "trust.h"

#include <math.h>

void
trust_add(struct trust_acc *a, double value, int64_t ts_ms, int64_t as_of_ms)
{
	double w = exp2(-(double)(as_of_ms - ts_ms) / TRUST_HALF_LIFE_MS);

	a->weight_all += w;
	if (value > 0) {
		a->weight_pos += w;
		a->up++;
	} else if (value < 0)
		a->down++;
	a->votes++;
}

double
trust_score(const struct trust_acc *a)
{
	return (a->weight_pos + 1.0) / (a->weight_all + 2.0);
}
