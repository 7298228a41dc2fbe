/* span_batch: the spans of one request and the problems of the others. */
#include "llm.h"

#include <stdlib.h>
#include <string.h>

struct llm_span *
span_batch_add(struct span_batch *b)
{
	struct llm_span *s = util_grow(b->spans, &b->cap, b->n, sizeof(*b->spans), 16);

	if (s == NULL)
		return NULL;
	b->spans = s;
	memset(&b->spans[b->n], 0, sizeof(b->spans[0]));
	return &b->spans[b->n++];
}

int
span_batch_problem(struct span_batch *b, size_t index, const char *field, const char *problem)
{
	struct ingest_problem *p;
	if ((p = util_grow(b->problems, &b->problems_cap, b->nproblems, sizeof(*p), 8)) == NULL)
		return -1;
	b->problems = p;
	p = &b->problems[b->nproblems++];
	p->index = index;
	util_strlcpy(p->field, field, sizeof(p->field));
	util_strlcpy(p->problem, problem, sizeof(p->problem));
	return 0;
}

void
span_batch_free(struct span_batch *b)
{
	free(b->spans);
	free(b->problems);
	strpool_free(&b->pool);
	memset(b, 0, sizeof(*b));
}
