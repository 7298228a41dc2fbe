/*
 * tallyctl prices list|set|delete|import|export|reprice: the model price
 * table of verified cost (SPEC §5.1). Prices are typed and printed as USD
 * per million tokens; the store keeps nano-dollars (include/price.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "price.h"
#include "timestamp.h"
#include "util.h"

#define MS_PER_DAY 86400000LL
/* An import is held whole in memory before the first write: about 25 MB. */
#define IMPORT_MAX_ROWS 100000
/* Bad rows named one by one before the rest are only counted. */
#define IMPORT_MAX_ERRORS 20

/* What every DATE and price argument reads, for the usage message. */
#define USAGE_NOTES \
	"prices are USD per million tokens (\"2.5\"); PROVIDER \"\" matches any provider;\n" \
	"DATE is ISO 8601 (2025-08-15, 2025-08-15T12:00:00Z) or epoch milliseconds\n"

/* ---- arguments ---- */

enum { OPT_PROJECT = 1, OPT_FROM = 2, OPT_TO = 4 };

struct opts {
	const char *project, *from, *to;
	char *pos[6];
	int npos;
};

static const struct {
	const char *name;
	int bit;
	size_t off;
} flags[] = {
	{ "project", OPT_PROJECT, offsetof(struct opts, project) },
	{ "from", OPT_FROM, offsetof(struct opts, from) },
	{ "to", OPT_TO, offsetof(struct opts, to) },
};

/*
 * Splits argv into the flags a subcommand allows ("--name VALUE" or
 * "--name=VALUE", each once, anywhere) and positional arguments ("--" ends
 * the flags, so a pattern may start with dashes). -1 with the reason printed.
 */
static int
parse_opts(int argc, char **argv, int allowed, struct opts *o)
{
	int i, dashdash = 0;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *eq, *value;
		const char **slot = NULL;
		size_t n;

		if (dashdash || strncmp(a, "--", 2) != 0) {
			if (o->npos == (int)(sizeof(o->pos) / sizeof(o->pos[0]))) {
				fprintf(stderr, "tallyctl: too many arguments\n");
				return -1;
			}
			o->pos[o->npos++] = argv[i];
			continue;
		}
		if (a[2] == '\0') {
			dashdash = 1;
			continue;
		}
		eq = strchr(a, '=');
		n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
			if ((allowed & flags[f].bit) && strlen(flags[f].name) == n &&
			    strncmp(a + 2, flags[f].name, n) == 0)
				slot = (const char **)((char *)o + flags[f].off);
		if (slot == NULL) {
			fprintf(stderr, "tallyctl: unknown flag %.*s here\n", (int)(n + 2), a);
			return -1;
		}
		if (eq)
			value = eq + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		else {
			fprintf(stderr, "tallyctl: %s needs a value\n", a);
			return -1;
		}
		if (*slot != NULL) {
			fprintf(stderr, "tallyctl: --%.*s given twice\n", (int)n, a + 2);
			return -1;
		}
		*slot = value;
	}
	return 0;
}

/* DATE as the analytics read it (SPEC §5.3): epoch ms or ISO 8601. */
static int
parse_time(const char *flag, const char *v, int64_t *ms)
{
	if (util_parse_i64(v, 0, INT64_MAX / 2, ms) == 0 || ts_parse_iso(v, ms) == 0)
		return 0;
	fprintf(stderr, "tallyctl: %s '%s' is neither an ISO 8601 date or time nor epoch milliseconds\n",
	    flag, v);
	return -1;
}

/* --project SLUG as its id; no flag: 0, the global table. 0, or 1 with the reason printed. */
static int
project_id(struct cli *c, const char *slug, int64_t *id)
{
	struct project p;

	*id = 0;
	if (slug == NULL)
		return 0;
	if (cli_find_project(c, slug, &p) != 0)
		return 1;
	*id = p.id;
	return 0;
}

/* The effective date as the CSV writes it: the day alone at midnight UTC. */
static void
format_from(int64_t ms, char out[32])
{
	ts_format_iso(ms, out);
	if (ms % MS_PER_DAY == 0)
		out[10] = '\0';
}

/* ---- list ---- */

/* The projects, to name a price row's owner. */
struct slugs {
	struct project *p;
	size_t n;
};

static const char *
slug_of(const struct slugs *s, int64_t id)
{
	if (id == 0)
		return "global";
	for (size_t i = 0; i < s->n; i++)
		if (s->p[i].id == id)
			return s->p[i].slug;
	return "?";
}

static int
print_price(void *arg, const struct price *p)
{
	char in[PRICE_USD_LEN], out[PRICE_USD_LEN], cached[PRICE_USD_LEN], from[32];

	price_format_usd(p->input_nusd, in, sizeof(in));
	price_format_usd(p->output_nusd, out, sizeof(out));
	price_format_usd(p->cached_nusd, cached, sizeof(cached));
	format_from(p->effective_ms, from);
	printf("%-6lld %-16s %-10s %-32s %-10s %-10s %-10s %-24s %s\n", (long long)p->id,
	    slug_of(arg, p->project_id), p->provider[0] ? p->provider : "*", p->pattern, in, out,
	    cached, from, p->source_date[0] ? p->source_date : "-");
	return 0;
}

static int
prices_list(struct cli *c, int argc, char **argv)
{
	struct slugs s;
	struct opts o;
	int64_t pid;
	int rc = 1;

	if (parse_opts(argc, argv, OPT_PROJECT, &o) != 0 || o.npos != 0)
		return 2;
	if (project_id(c, o.project, &pid) != 0)
		return 1;
	if (cli_project_all(c, &s.p, &s.n) != 0)
		goto out;
	printf("%-6s %-16s %-10s %-32s %-10s %-10s %-10s %-24s %s\n", "ID", "PROJECT", "PROVIDER",
	    "PATTERN", "INPUT", "OUTPUT", "CACHED", "FROM", "SOURCE");
	/* without --project every row of every project; with it, what its calls are priced from */
	if (store_prices_list(c->store, o.project ? pid : -1, print_price, &s) == 0)
		rc = 0;
out:
	free(s.p);
	return rc;
}

/* ---- set, delete ---- */

static int
prices_set(struct cli *c, int argc, char **argv)
{
	struct opts o;
	struct price p;
	char check[PRICE_CSV_LINE_MAX], from[32];
	const char *what[3] = { "INPUT", "OUTPUT", "CACHED" };
	int64_t *money[3];
	int64_t now = util_now_ms();

	if (parse_opts(argc, argv, OPT_PROJECT | OPT_FROM, &o) != 0 || o.npos < 4 || o.npos > 5)
		return 2;
	memset(&p, 0, sizeof(p));
	money[0] = &p.input_nusd;
	money[1] = &p.output_nusd;
	money[2] = &p.cached_nusd;
	if (util_strlcpy(p.provider, o.pos[0], sizeof(p.provider)) >= sizeof(p.provider)) {
		fprintf(stderr, "tallyctl: PROVIDER longer than %zu bytes\n", sizeof(p.provider) - 1);
		return 2;
	}
	if (o.pos[1][0] == '\0' ||
	    util_strlcpy(p.pattern, o.pos[1], sizeof(p.pattern)) >= sizeof(p.pattern)) {
		fprintf(stderr, "tallyctl: PATTERN must be 1-%zu bytes\n", sizeof(p.pattern) - 1);
		return 2;
	}
	for (int i = 0; i < o.npos - 2; i++)
		if (price_parse_usd(o.pos[2 + i], money[i]) != 0) {
			fprintf(stderr, "tallyctl: %s '%s' is not a USD amount per million tokens "
			    "(digits, at most 9 after the point)\n", what[i], o.pos[2 + i]);
			return 2;
		}
	if (o.npos == 4)
		p.cached_nusd = p.input_nusd;   /* no cache discount unless one is given */
	/* today by default: setting the same price twice in a day updates one row */
	p.effective_ms = now - now % MS_PER_DAY;
	if (o.from != NULL && parse_time("--from", o.from, &p.effective_ms) != 0)
		return 2;
	ts_format_iso(now, from);
	util_strlcpy(p.source_date, from, 11);  /* the day the price was typed in */
	/* the same rule as the CSV: what export cannot write is refused here */
	if (price_csv_format(&p, check, sizeof(check)) < 0) {
		fprintf(stderr, "tallyctl: PROVIDER and PATTERN must be UTF-8 without control characters\n");
		return 2;
	}
	if (project_id(c, o.project, &p.project_id) != 0)
		return 1;
	if (store_price_set(c->store, &p) != 0)
		return 1;
	format_from(p.effective_ms, from);
	fprintf(stderr, "set %s %s for %s from %s; calls stored before keep their cost until "
	    "`tallyctl prices reprice`\n", p.provider[0] ? p.provider : "(any provider)", p.pattern,
	    o.project ? o.project : "every project (global)", from);
	return 0;
}

static int
prices_delete(struct cli *c, int argc, char **argv)
{
	int64_t id;
	int rc;

	if (argc != 1)
		return 2;
	if (util_parse_i64(argv[0], 1, INT64_MAX, &id) != 0) {
		fprintf(stderr, "tallyctl: price id must be a positive integer\n");
		return 2;
	}
	rc = store_price_delete(c->store, id);
	if (rc == 1) {
		fprintf(stderr, "tallyctl: no price %lld\n", (long long)id);
		return 1;
	}
	if (rc != 0)
		return 1;
	fprintf(stderr, "deleted price %lld; calls stored before keep their cost until "
	    "`tallyctl prices reprice`\n", (long long)id);
	return 0;
}

/* ---- import ---- */

struct rows {
	struct price *p;
	size_t *line;           /* the file line of each row, for messages */
	size_t n, cap;
};

/*
 * One line of f without its "\n" into buf[cap]. 1: a line; 0: end of file;
 * -1: longer than cap - 1 bytes (the rest of it is skipped); -2: a NUL
 * byte; -3: a read error. The cap holds before any memory is spent.
 */
static int
read_line(FILE *f, char *buf, size_t cap)
{
	size_t n = 0;
	int ch, rc = 1;

	while ((ch = getc(f)) != EOF && ch != '\n') {
		if (ch == '\0')
			rc = -2;
		else if (n + 1 >= cap)
			rc = rc == 1 ? -1 : rc;
		else
			buf[n++] = (char)ch;
	}
	buf[n] = '\0';
	if (ferror(f))
		return -3;
	if (ch == EOF && n == 0 && rc == 1)
		return 0;
	return rc;
}

static int
rows_add(struct rows *r, const struct price *p, size_t line)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct price *np = realloc(r->p, cap * sizeof(*np));
		size_t *nl;
		if (np == NULL)
			return -1;
		r->p = np;
		if ((nl = realloc(r->line, cap * sizeof(*nl))) == NULL)
			return -1;
		r->line = nl;
		r->cap = cap;
	}
	r->p[r->n] = *p;
	r->line[r->n++] = line;
	return 0;
}

static const struct rows *sort_rows;    /* qsort has no context argument */

/* The table's unique key (provider, pattern, effective_from), byte for byte as SQLite compares. */
static int
by_key(const void *a, const void *b)
{
	const struct price *x = &sort_rows->p[*(const size_t *)a];
	const struct price *y = &sort_rows->p[*(const size_t *)b];
	int d;

	if ((d = strcmp(x->provider, y->provider)) != 0 || (d = strcmp(x->pattern, y->pattern)) != 0)
		return d;
	if (x->effective_ms != y->effective_ms)
		return x->effective_ms < y->effective_ms ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Two rows for one key would leave the table depending on row order: refused. Returns the count. */
static int
find_duplicates(const struct rows *r, int reported)
{
	size_t *idx = malloc((r->n ? r->n : 1) * sizeof(*idx));
	int bad = 0;

	if (idx == NULL)
		return -1;
	for (size_t i = 0; i < r->n; i++)
		idx[i] = i;
	sort_rows = r;
	qsort(idx, r->n, sizeof(*idx), by_key);
	for (size_t i = 1; i < r->n; i++) {
		const struct price *x = &r->p[idx[i - 1]], *y = &r->p[idx[i]];
		if (strcmp(x->provider, y->provider) != 0 || strcmp(x->pattern, y->pattern) != 0 ||
		    x->effective_ms != y->effective_ms)
			continue;
		if (reported + bad++ < IMPORT_MAX_ERRORS)
			fprintf(stderr, "line %zu: same provider, pattern and effective_from as line %zu\n",
			    r->line[idx[i]], r->line[idx[i - 1]]);
	}
	free(idx);
	return bad;
}

/*
 * Reads and checks the whole file into r. Returns the number of bad lines
 * (each printed as "line N: error"), or -1 when the file cannot be read.
 */
static int
read_csv(FILE *f, const char *name, struct rows *r)
{
	char buf[PRICE_CSV_LINE_MAX + 1], err[256];
	size_t line = 0;
	int rc, bad = 0;

	while ((rc = read_line(f, buf, sizeof(buf))) != 0) {
		struct price p;
		char *text = buf;

		line++;
		if (rc == -3) {
			fprintf(stderr, "tallyctl: %s: %s\n", name, strerror(errno));
			return -1;
		}
		if (rc == -1)
			snprintf(err, sizeof(err), "line longer than %d bytes", PRICE_CSV_LINE_MAX - 1);
		else if (rc == -2)
			snprintf(err, sizeof(err), "NUL byte in the line");
		else if (line == 1) {
			size_t len;
			if (strncmp(text, "\xef\xbb\xbf", 3) == 0)
				text += 3;      /* a spreadsheet's byte order mark */
			len = strlen(text);
			if (len > 0 && text[len - 1] == '\r')
				text[len - 1] = '\0';
			if (strcmp(text, PRICE_CSV_HEADER) == 0)
				continue;
			snprintf(err, sizeof(err), "expected the header '%s'", PRICE_CSV_HEADER);
		} else if (text[0] == '\0' || strcmp(text, "\r") == 0)
			continue;       /* a blank line is no row */
		else if (r->n == IMPORT_MAX_ROWS)
			snprintf(err, sizeof(err), "more than %d rows", IMPORT_MAX_ROWS);
		else if (price_csv_parse(text, &p, err, sizeof(err)) == 0) {
			if (rows_add(r, &p, line) != 0) {
				fprintf(stderr, "tallyctl: out of memory\n");
				return -1;
			}
			continue;
		}
		if (bad++ < IMPORT_MAX_ERRORS)
			fprintf(stderr, "line %zu: %s\n", line, err);
		if (line == 1 || r->n == IMPORT_MAX_ROWS)
			break;  /* not a price file, or too big: the rest says nothing more */
	}
	if (line == 0) {
		fprintf(stderr, "line 1: expected the header '%s'\n", PRICE_CSV_HEADER);
		bad++;
	}
	return bad;
}

/*
 * Validates every row before the first write, so a bad file changes
 * nothing. Rows are added or updated by (provider, pattern, effective_from);
 * rows not in the file stay.
 */
static int
prices_import(struct cli *c, int argc, char **argv)
{
	struct opts o;
	struct rows r;
	FILE *f;
	int64_t pid;
	int bad, dups, rc = 1;

	if (parse_opts(argc, argv, OPT_PROJECT, &o) != 0 || o.npos != 1)
		return 2;
	if (project_id(c, o.project, &pid) != 0)
		return 1;
	if (strcmp(o.pos[0], "-") == 0)
		f = stdin;
	else if ((f = fopen(o.pos[0], "r")) == NULL) {
		fprintf(stderr, "tallyctl: %s: %s\n", o.pos[0], strerror(errno));
		return 1;
	}
	memset(&r, 0, sizeof(r));
	bad = read_csv(f, o.pos[0], &r);
	if (f != stdin)
		fclose(f);
	if (bad < 0 || (dups = find_duplicates(&r, bad)) < 0)
		goto out;
	if (bad + dups > IMPORT_MAX_ERRORS)
		fprintf(stderr, "... %d more bad lines\n", bad + dups - IMPORT_MAX_ERRORS);
	if (bad + dups > 0) {
		fprintf(stderr, "tallyctl: %s: %d bad line%s, nothing imported\n", o.pos[0], bad + dups,
		    bad + dups == 1 ? "" : "s");
		goto out;
	}
	for (size_t i = 0; i < r.n; i++) {
		r.p[i].project_id = pid;
		/* each row is its own transaction: a store failure here leaves the rows before it */
		if (store_price_set(c->store, &r.p[i]) != 0) {
			fprintf(stderr, "tallyctl: line %zu could not be stored; %zu rows before it were\n",
			    r.line[i], i);
			goto out;
		}
	}
	fprintf(stderr, "imported %zu price%s into %s; calls stored before keep their cost until "
	    "`tallyctl prices reprice`\n", r.n, r.n == 1 ? "" : "s",
	    o.project ? o.project : "the global table");
	rc = 0;
out:
	free(r.p);
	free(r.line);
	return rc;
}

/* ---- export ---- */

struct export_ctx {
	int64_t project_id;
	int failed;
};

static int
export_row(void *arg, const struct price *p)
{
	struct export_ctx *x = arg;
	char line[PRICE_CSV_LINE_MAX];

	if (p->project_id != x->project_id)
		return 0;       /* the global rows under a project's own */
	if (price_csv_format(p, line, sizeof(line)) < 0) {
		fprintf(stderr, "tallyctl: price %lld cannot be written as CSV\n", (long long)p->id);
		x->failed = 1;
		return 1;
	}
	fputs(line, stdout);
	return 0;
}

/* Exactly the rows import --project (or no flag: the global table) reads back. */
static int
prices_export(struct cli *c, int argc, char **argv)
{
	struct export_ctx x;
	struct opts o;

	if (parse_opts(argc, argv, OPT_PROJECT, &o) != 0 || o.npos != 0)
		return 2;
	memset(&x, 0, sizeof(x));
	if (project_id(c, o.project, &x.project_id) != 0)
		return 1;
	printf("%s\n", PRICE_CSV_HEADER);
	if (store_prices_list(c->store, x.project_id, export_row, &x) != 0 || x.failed)
		return 1;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "tallyctl: writing the CSV: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

/* ---- reprice ---- */

static int
prices_reprice(struct cli *c, int argc, char **argv)
{
	struct opts o;
	int64_t pid, from, to, changed = 0;

	if (parse_opts(argc, argv, OPT_PROJECT | OPT_FROM | OPT_TO, &o) != 0 || o.npos != 0)
		return 2;
	if (o.from == NULL || o.to == NULL) {
		fprintf(stderr, "tallyctl: reprice needs --from and --to\n");
		return 2;
	}
	if (parse_time("--from", o.from, &from) != 0 || parse_time("--to", o.to, &to) != 0)
		return 2;
	if (from >= to) {
		fprintf(stderr, "tallyctl: --from must be before --to (the range is [from, to))\n");
		return 2;
	}
	/* store_reprice reads project 0 as every project: no --project, every project */
	if (project_id(c, o.project, &pid) != 0)
		return 1;
	if (store_reprice(c->store, pid, from, to, &changed) != 0) {
		fprintf(stderr, "tallyctl: reprice failed after %lld calls changed\n", (long long)changed);
		return 1;
	}
	printf("%lld calls changed\n", (long long)changed);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(struct cli *, int, char **);
	const char *usage;
} subcommands[] = {
	{ "list", prices_list, "list [--project SLUG]" },
	{ "set", prices_set,
	    "set PROVIDER PATTERN INPUT OUTPUT [CACHED] [--project SLUG] [--from DATE]" },
	{ "delete", prices_delete, "delete ID" },
	{ "import", prices_import, "import FILE.csv|- [--project SLUG]" },
	{ "export", prices_export, "export [--project SLUG]" },
	{ "reprice", prices_reprice, "reprice --from DATE --to DATE [--project SLUG]" },
};

#define NSUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

int
cli_prices(struct cli *c, int argc, char **argv)
{
	size_t i;
	int rc;

	for (i = 0; argc >= 1 && i < NSUBCOMMANDS; i++)
		if (strcmp(argv[0], subcommands[i].name) == 0)
			break;
	if (argc >= 1 && i < NSUBCOMMANDS) {
		if ((rc = subcommands[i].run(c, argc - 1, argv + 1)) == 2)
			fprintf(stderr, "usage: tallyctl prices %s\n" USAGE_NOTES, subcommands[i].usage);
		return rc;
	}
	for (i = 0; i < NSUBCOMMANDS; i++)
		fprintf(stderr, "%s tallyctl prices %s\n", i == 0 ? "usage:" : "      ",
		    subcommands[i].usage);
	fputs(USAGE_NOTES, stderr);
	return 2;
}
