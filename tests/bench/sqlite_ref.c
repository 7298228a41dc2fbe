/*
 * sqlite-ref: the benchmark's raw SQLite reference (tests/bench/ingest.sh,
 * case e). It inserts the rows tally stores for the benchmark's event into
 * tally's own schema (the embedded migrations), with tally's own statements
 * (sq_sql[SQ_EVENT_DEDUP], sq_sql[SQ_EVENT_INSERT]) and connection pragmas,
 * in transactions of --rows-per-tx rows: what SQLite alone can do on this
 * disk, with no HTTP, no JSON and no group commit around it.
 *
 *   sqlite-ref --db NEW.db [--seconds S] [--rows-per-tx N] [--no-dedup]
 *   sqlite-ref --show          print the column values it stores, and exit
 *
 * Prints one line: "sqlite-ref: rows=... rows_per_s=... bytes_per_row=...".
 * The row values must match tests/bench/ingest.lua's event (ingest.sh checks
 * that the properties text equals what tally stored).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "migrations.h"
#include "sq.h"
#include "util.h"

/* The benchmark event's values (tests/bench/ingest.lua, the tally shape). */
#define EV_NAME "checkout_completed"
#define EV_PROPERTIES \
	"{\"plan\":\"pro\",\"amount\":4999,\"currency\":\"EUR\",\"path\":\"/checkout\",\"ref\":\"newsletter-11\"}"
#define EV_IP "127.0.0.1"
#define EV_USERS 10000
#define PROJECT_ID 1
#define INSERT_PARAMS 20            /* sq_sql[SQ_EVENT_INSERT]'s ?1 .. ?20, bound below */

static int
die_db(sqlite3 *db, const char *what)
{
	fprintf(stderr, "sqlite-ref: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
	exit(1);
}

static void
exec_or_die(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "sqlite-ref: %.60s...: %s\n", sql, err ? err : "?");
		exit(1);
	}
}

static double
mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long
file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* The dedup lookup tally runs before each insert (sq_events.c is_duplicate). */
static int
is_duplicate(sqlite3 *db, sqlite3_stmt *s, const char *mid, int64_t h, int64_t since)
{
	int found = 0, step;

	sqlite3_bind_int64(s, 1, PROJECT_ID);
	sqlite3_bind_int64(s, 2, h);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(s, 0);
		if (m && strcmp(m, mid) == 0 && sqlite3_column_int64(s, 1) >= since) {
			found = 1;
			break;
		}
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		die_db(db, "dedup lookup");
	sqlite3_reset(s);
	return found;
}

static void
usage(void)
{
	fprintf(stderr, "usage: sqlite-ref --db NEW.db [--seconds S] [--rows-per-tx N] [--no-dedup]\n"
	    "       sqlite-ref --show\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *path = NULL;
	double seconds = 5, t0, elapsed;
	int rows_per_tx = 500, dedup = 1;
	static char users[EV_USERS][16];
	sqlite3 *db = NULL;
	sqlite3_stmt *ins, *dup;
	long long rows = 0, txs = 0, dups = 0, count = 0;
	char wal[4096 + 8];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--rows-per-tx") == 0 && i + 1 < argc)
			rows_per_tx = atoi(argv[++i]);
		else if (strcmp(argv[i], "--no-dedup") == 0)
			dedup = 0;
		else if (strcmp(argv[i], "--show") == 0) {
			printf("event=%s\nproperties=%s\nip=%s\n", EV_NAME, EV_PROPERTIES, EV_IP);
			return 0;
		} else
			usage();
	}
	if (path == NULL || seconds <= 0 || seconds > 3600 || rows_per_tx < 1 ||
	    strlen(path) > 4096)
		usage();
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "sqlite-ref: %s exists: give the path of a new database\n", path);
		return 2;
	}
	for (int u = 0; u < EV_USERS; u++)
		snprintf(users[u], sizeof(users[u]), "user_%05d", u);

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		die_db(db, path);
	/* tally's connection set-up (sq_conn.c), with synchronous = NORMAL */
	exec_or_die(db, "PRAGMA journal_mode = WAL");
	exec_or_die(db, "PRAGMA synchronous = NORMAL");
	exec_or_die(db, "PRAGMA foreign_keys = ON");
	exec_or_die(db, "PRAGMA temp_store = MEMORY");
	exec_or_die(db, "PRAGMA cache_size = -4096");
	for (const struct migration *m = sqlite_migrations; m->sql != NULL; m++)
		exec_or_die(db, m->sql);
	exec_or_die(db, "INSERT INTO projects(id, slug, name, created_at) "
	    "VALUES (1, 'bench', 'bench', 0)");

	if (sqlite3_prepare_v3(db, sq_sql[SQ_EVENT_INSERT], -1, SQLITE_PREPARE_PERSISTENT,
	    &ins, NULL) != SQLITE_OK)
		die_db(db, "prepare insert");
	if (sqlite3_prepare_v3(db, sq_sql[SQ_EVENT_DEDUP], -1, SQLITE_PREPARE_PERSISTENT,
	    &dup, NULL) != SQLITE_OK)
		die_db(db, "prepare dedup");
	if (sqlite3_bind_parameter_count(ins) != INSERT_PARAMS) {
		fprintf(stderr, "sqlite-ref: tally's event INSERT now has %d parameters, not %d: "
		    "update tests/bench/sqlite_ref.c\n", sqlite3_bind_parameter_count(ins), INSERT_PARAMS);
		return 1;
	}

	t0 = mono_s();
	do {
		int64_t now = util_now_ms();
		unsigned char rid[16];

		exec_or_die(db, "BEGIN IMMEDIATE");
		for (int i = 0; i < rows_per_tx; i++, rows++) {
			char mid[40];
			int64_t h;

			/* ingest.lua: "bm-RR-T-CCCCCCC-II", one request id per 100 events */
			snprintf(mid, sizeof(mid), "bm-99-0-%07lld-%02lld", rows / 100 % 10000000, rows % 100);
			if (rows % 100 == 0)
				util_random(rid, sizeof(rid));
			h = util_hash64(mid, strlen(mid));
			if (dedup && is_duplicate(db, dup, mid, h, now - 7 * 86400000LL)) {
				dups++;
				continue;
			}
			sqlite3_bind_int64(ins, 1, PROJECT_ID);
			sqlite3_bind_int(ins, 2, 0);                            /* track */
			sqlite3_bind_text(ins, 3, EV_NAME, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 4, users[rows % EV_USERS], -1, SQLITE_STATIC);
			for (int p = 5; p <= 6; p++)                            /* anonymous, session */
				sqlite3_bind_null(ins, p);
			sqlite3_bind_int64(ins, 7, now - (rows % 1000));         /* event time */
			sqlite3_bind_int64(ins, 8, now);                         /* received_at */
			sqlite3_bind_text(ins, 9, mid, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(ins, 10, h);
			sqlite3_bind_text(ins, 11, EV_PROPERTIES, -1, SQLITE_STATIC);
			for (int p = 12; p <= 18; p++)      /* context .. shop_id: absent */
				sqlite3_bind_null(ins, p);
			sqlite3_bind_blob(ins, 19, rid, 16, SQLITE_STATIC);    /* nginx $request_id, packed */
			sqlite3_bind_text(ins, 20, EV_IP, -1, SQLITE_STATIC);
			if (sqlite3_step(ins) != SQLITE_DONE)
				die_db(db, "insert");
			sqlite3_reset(ins);
		}
		exec_or_die(db, "COMMIT");
		txs++;
		elapsed = mono_s() - t0;
	} while (elapsed < seconds);

	/* disk use, as ingest.sh measures tally's: checkpoint, then file size / rows */
	exec_or_die(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	{
		sqlite3_stmt *c;
		if (sqlite3_prepare_v2(db, "SELECT count(*) FROM events", -1, &c, NULL) != SQLITE_OK ||
		    sqlite3_step(c) != SQLITE_ROW)
			die_db(db, "count");
		count = sqlite3_column_int64(c, 0);
		sqlite3_finalize(c);
	}
	sqlite3_finalize(ins);
	sqlite3_finalize(dup);
	if (sqlite3_close(db) != SQLITE_OK)
		die_db(db, "close");
	snprintf(wal, sizeof(wal), "%s-wal", path);
	printf("sqlite-ref: rows=%lld duplicates=%lld transactions=%lld rows_per_tx=%d dedup=%s "
	    "seconds=%.3f rows_per_s=%.0f bytes_per_row=%.1f\n",
	    rows - dups, dups, txs, rows_per_tx, dedup ? "on" : "off", elapsed,
	    (double)(rows - dups) / elapsed,
	    count ? (double)(file_size(path) + file_size(wal)) / (double)count : 0.0);
	return 0;
}
