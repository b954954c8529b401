/* Shared pieces of the `portdb` command. */
#ifndef PORTDB_TOOL_H
#define PORTDB_TOOL_H

extern const char *progname;

/* Exit statuses, as documented in portdb(8). */
enum {
	EXIT_OK = 0,
	EXIT_FAILURE_ = 1,   /* bad usage, unreadable input, write failure */
	EXIT_NOT_FOUND = 2,  /* `get`: a key has no entry (as getent) */
};

int cmd_build(int argc, char **argv);
int cmd_get(int argc, char **argv);

/* Print "portdb: MESSAGE" to stderr. */
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The database path: the configured default unless overridden. */
const char *default_db_path(void);

#endif
