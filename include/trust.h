/*
 * trust: the trust score of SPEC §5.3 over feedback votes:
 *   trust = (Σ wᵢ·[vᵢ > 0] + 1) / (Σ wᵢ + 2),   wᵢ = 0.5^(ageᵢ / 14 days)
 * with ageᵢ = as_of − tᵢ. With no votes it is 0.5; a vote's weight halves
 * every two weeks.
 */
#ifndef TALLY_TRUST_H
#define TALLY_TRUST_H

#include <stdint.h>

#define TRUST_HALF_LIFE_MS (14 * 86400000.0)

struct trust_acc {
	double weight_pos, weight_all;
	int64_t up, down, votes;
};

void trust_add(struct trust_acc *a, double value, int64_t ts_ms, int64_t as_of_ms);
double trust_score(const struct trust_acc *a);

#endif
