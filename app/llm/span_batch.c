/* span_batch: the spans of one request and the problems of the others. */
#include "llm.h"

#include <stdlib.h>
#include <string.h>

struct llm_span *
span_batch_add(struct span_batch *b)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct llm_span *s = realloc(b->spans, cap * sizeof(*s));
		if (s == NULL)
			return NULL;
		b->spans = s;
		b->cap = cap;
	}
	memset(&b->spans[b->n], 0, sizeof(b->spans[0]));
	return &b->spans[b->n++];
}

int
span_batch_problem(struct span_batch *b, size_t index, const char *field, const char *problem)
{
	struct ingest_problem *p;
	if (b->nproblems == b->problems_cap) {
		size_t cap = b->problems_cap ? b->problems_cap * 2 : 8;
		if ((p = realloc(b->problems, cap * sizeof(*p))) == NULL)
			return -1;
		b->problems = p;
		b->problems_cap = cap;
	}
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
