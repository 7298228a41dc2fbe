/* migrations: the numbered schema files of sql/, compiled in. */
#ifndef TALLY_MIGRATIONS_H
#define TALLY_MIGRATIONS_H

struct migration {
	int version;
	const char *name;
	const char *sql;
};

/* Ends with a { 0, 0, 0 } entry. */
extern const struct migration sqlite_migrations[];

#endif
