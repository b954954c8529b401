/* Shared pieces of the `portdb` command. */
#ifndef PORTDB_TOOL_H
#define PORTDB_TOOL_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "collect.h"
#include "lmdb_reader.h"

extern const char *progname;

/* Exit statuses, as documented in portdb(8). */
enum {
	EXIT_OK = 0,
	EXIT_FAILURE_ = 1,   /* bad usage, unreadable input, write failure */
	EXIT_NOT_FOUND = 2,  /* `get`: a key has no entry (as getent) */
	EXIT_BUILD_STALE = 3,  /* `build`: published, but the sources kept changing */
	EXIT_BUILD_NOT_DURABLE = 4,  /* `build`: published, the directory's fsync failed */
};

/* `check`: 0 clean, 1 warnings only, 2 errors (or unreadable input, or
 * bad usage). */
enum {
	CHECK_CLEAN = 0,
	CHECK_WARNINGS = 1,
	CHECK_ERRORS = 2,
};

int cmd_build(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_nsswitch(int argc, char **argv);

/* Print "portdb: MESSAGE" to stderr. */
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The database path: the configured default unless overridden. */
const char *default_db_path(void);

/* One line on the LMDB file at PATH, which the module's reader R has
 * accepted: its layout, and whether liblmdb reads it the same
 * (tools/lmdb_view.c). */
void lmdb_view(const char *path, const struct lmdb_reader *r, char *out, size_t outlen);
/* The configured drop-in directory. */
const char *default_dropin_dir(void);
#define DEFAULT_SOURCE "/etc/services"

/* Which sources a command reads: the SOURCEs named, or /etc/services
 * and the drop-in directory when none is named.  --dropin-dir names a
 * directory to read after the SOURCEs in either case; --no-dropins
 * reads none. */
struct source_args {
	char **files;             /* NULL: DEFAULT_SOURCE */
	int nfiles;
	const char *dropin_dir;   /* set by --dropin-dir */
	int no_dropins;
	/* --format, for the named SOURCEs; the command's default otherwise
	 * (services, the zero value; convert detects).  The default sources
	 * and drop-ins are always services(5): glibc reads them so. */
	enum svc_format format;
	int format_given;
};

/* The long options every source-reading command shares, and their
 * handling: @return 1 if OPT (a getopt_long value) was one of them, 0
 * if not, -1 on a bad argument (already reported). */
#define SOURCE_OPTS \
	{ "format", required_argument, NULL, 'f' }, \
	{ "dropin-dir", required_argument, NULL, 'D' }, \
	{ "no-dropins", no_argument, NULL, 'N' }
int source_option(struct source_args *sa, int opt, const char *arg);

/* Is SA a usage error (--format without a SOURCE)?  @return 0, or
 * EINVAL with ERR saying why. */
int source_args_check(const struct source_args *sa, char *err, size_t errlen);

/* Read the sources of SA into SET, in priority order, with OPTS (whose
 * format is set per source).  ON_ERROR, if not NULL, hears of a source
 * that cannot be read, and reading goes on with the next; otherwise the
 * first error stops it.  @return 0 or the first errno value, with ERR;
 * EINVAL, reading nothing, when source_args_check says so. */
int read_sources(struct entry_set *set, const struct source_args *sa,
		 const struct collect_opts *opts,
		 void (*on_error)(void *ctx, const char *path, const char *msg), void *ctx,
		 char *err, size_t errlen);

/* ------------------------------------------------------- options.c */

/* Options several commands share; a command's spec names those it takes.
 * Every command takes -h, --help. */
enum {
	OPT_DB = 1 << 0,        /* -d, --db DB: cmd_line.db */
	OPT_QUIET = 1 << 1,     /* -q, --quiet: cmd_line.quiet */
	OPT_SOURCES = 1 << 2,   /* SOURCE_OPTS into cmd_line.sa, whose files are
				 * the operands */
};

/* What a command takes on its command line. */
struct cmd_spec {
	const char *name;               /* "get", for messages */
	unsigned common;                /* OPT_* */
	const char *shortopts;          /* its own options, as getopt spells them */
	const struct option *longopts;  /* its own, up to a zeroed one; or NULL */
	int min_args, max_args;         /* operands; max_args -1: no limit */
	const char *args_name;          /* for "missing KEY" */
	void (*usage)(FILE *out);       /* the --help text */
	int usage_status;               /* the exit status of bad usage */
};

/* The parsed command line; zero it (a command may set sa.format, its
 * default) before the first cmd_option. */
struct cmd_line {
	const char *db;          /* --db, else default_db_path() */
	int quiet;
	struct source_args sa;
	char **args;             /* the operands */
	int nargs;
	int status;              /* the exit status, after cmd_option returned -1 */
	const struct cmd_spec *spec;
	struct option opts[16];  /* the common options taken, then the command's */
	char optstring[32];
};

/* The next option of SPEC's command in ARGV (ARGV[0] names the command),
 * read by getopt_long, which permutes: options may follow operands, '--'
 * ends them, and with POSIXLY_CORRECT set the first operand does.  The
 * common options go into CL.
 * @return one of the command's own options (optarg holds its argument);
 * 0 when the options are over and CL->args holds the operands, as many as
 * SPEC allows; -1 when the command must exit now with CL->status: after
 * --help, or after a usage error that has been reported. */
int cmd_option(const struct cmd_spec *spec, struct cmd_line *cl, int argc, char **argv);

/* Report a usage error of SPEC's command ("portdb: get: MESSAGE", then a
 * pointer to --help).  @return SPEC->usage_status. */
int usage_error(const struct cmd_spec *spec, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------ text.c */

/* Length of the valid UTF-8 sequence at S (at most N bytes), or 0 if
 * the bytes there are not one (overlong, surrogate, above U+10FFFF,
 * truncated, a stray continuation byte). */
size_t utf8_valid_len(const unsigned char *s, size_t n);

/* S as a JSON string, quoted.  Valid UTF-8 is written as it is; '"',
 * '\\' and control characters are escaped; a byte that is not part of
 * valid UTF-8 is written as \u00XX, XX its value (so the byte 0xff
 * reads back as U+00FF: names are bytes, JSON strings are not). */
void json_string(FILE *out, const char *s);

/* S for a message: printable ASCII as it is, any other byte as \xHH,
 * cut to about MAX bytes with "...". */
void show_bytes(char *out, size_t outlen, const char *s, size_t max);

/* One services(5) line: NAME PORT/PROTO ALIASES (NALIASES strings one
 * after another, NUL-separated), which the services parser reads back
 * as the same entry. */
void print_services_line(FILE *out, const char *name, unsigned port, const char *proto,
			 const char *aliases, uint32_t naliases);
/* The same for a parsed line (its aliases an array). */
void print_svc_line(FILE *out, const struct svc_line *l);

/* IANA's class of PORT: "system" (0-1023), "user" (1024-49151) or
 * "dynamic" (49152-65535); LONG gives the other names too. */
const char *port_class(unsigned port, int longer);

/* ONE or MANY, as the count N asks: "1 entry", "2 entries". */
const char *plural(unsigned long long n, const char *one, const char *many);

/* ------------------------------------------------------ progress.c */

/* On a terminal (stderr), a line saying what the build is doing, shown
 * once the build has taken over a second and updated a few times a
 * second; erased by progress_stop.  Without a terminal, no-ops. */
void progress_start(void);
void progress_phase(const char *what);   /* copied */
void progress_count(unsigned long n);    /* entries so far */
void progress_stop(void);

#endif
