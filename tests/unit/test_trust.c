/* test_trust: the SPEC §5.3 trust score, weights halving every 14 days. */
#include <math.h>
#include <stdint.h>

#include "trust.h"
#include "tap.h"

#define DAY 86400000LL
#define NOW 1772625600000LL     /* 2026-03-04T12:00:00Z */

static int
close_to(double got, double want)
{
	return fabs(got - want) < 1e-12;
}

int
main(void)
{
	struct trust_acc a = { 0 };
	double w1 = pow(0.5, 1.0 / 14), w2 = pow(0.5, 2.0 / 14), w3 = pow(0.5, 3.0 / 14), w12 = pow(0.5, 12.0 / 14);

	ok(close_to(trust_score(&a), 0.5), "no votes: 0.5");
	trust_add(&a, 1, NOW, NOW);
	ok(close_to(trust_score(&a), 2.0 / 3.0), "one fresh up vote: 2/3");
	trust_add(&a, -1, NOW, NOW);
	ok(close_to(trust_score(&a), 0.5), "and one fresh down vote: 1/2");
	is_int(a.up, 1, "up counted");
	is_int(a.down, 1, "down counted");
	is_int(a.votes, 2, "votes counted");

	a = (struct trust_acc){ 0 };
	trust_add(&a, 1, NOW - 14 * DAY, NOW);
	ok(close_to(trust_score(&a), 1.5 / 2.5), "an up vote 14 days old weighs 1/2: 1.5/2.5");

	a = (struct trust_acc){ 0 };
	trust_add(&a, 1, NOW - 1 * DAY, NOW);
	trust_add(&a, -1, NOW - 2 * DAY, NOW);
	trust_add(&a, 1, NOW - 3 * DAY, NOW);
	trust_add(&a, 1, NOW - 12 * DAY, NOW);
	ok(close_to(trust_score(&a), (w1 + w3 + w12 + 1) / (w1 + w2 + w3 + w12 + 2)),
	    "the formula over four votes: %.15f", trust_score(&a));
	ok(close_to(trust_score(&a), 0.638481142266664), "the fixed dataset's hand-worked value");

	a = (struct trust_acc){ 0 };
	trust_add(&a, 0.7, NOW, NOW);
	trust_add(&a, 0, NOW, NOW);
	ok(close_to(trust_score(&a), 2.0 / 4.0), "a score above 0 is positive, 0 is not");
	return tap_done();
}
