/* portdb: build, check and query the services database of nss_portdb. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portdb.h"

const char *progname = "portdb";

void warnx_(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *default_db_path(void)
{
	return PORTDB_DB_PATH;
}

const char *default_dropin_dir(void)
{
	return PORTDB_DROPIN_DIR;
}

int source_option(struct source_args *sa, int opt, const char *arg)
{
	switch (opt) {
	case 'f':
		if (svc_format_from_name(arg, &sa->format) != 0) {
			warnx_("unknown format '%s' (services, iana-csv, wireshark, nmap, auto)", arg);
			return -1;
		}
		sa->format_given = 1;
		return 1;
	case 'D':
		sa->dropin_dir = arg;
		return 1;
	case 'N':
		sa->no_dropins = 1;
		return 1;
	}
	return 0;
}

int source_args_check(const struct source_args *sa, char *err, size_t errlen)
{
	if (sa->format_given && sa->nfiles == 0) {
		snprintf(err, errlen, "--format is for the SOURCEs named; %s and the drop-in "
			 "directory are services(5) text, as glibc reads them", DEFAULT_SOURCE);
		return EINVAL;
	}
	return 0;
}

int read_sources(struct entry_set *set, const struct source_args *sa,
		 const struct collect_opts *opts,
		 void (*on_error)(void *ctx, const char *path, const char *msg), void *ctx,
		 char *err, size_t errlen)
{
	static char *const default_files[] = { (char *)DEFAULT_SOURCE };
	char *const *files = sa->nfiles > 0 ? sa->files : default_files;
	int nfiles = sa->nfiles > 0 ? sa->nfiles : 1;
	const char *dir = sa->dropin_dir;
	struct collect_opts o = *opts;
	int first = 0;

	if (source_args_check(sa, err, errlen) != 0)
		return EINVAL;
	if (dir == NULL && sa->nfiles == 0)
		dir = default_dropin_dir();
	if (sa->no_dropins)
		dir = NULL;
	for (int i = 0; i <= nfiles; i++) {
		int rc;

		if (i == nfiles && dir == NULL)
			break;
		/* What glibc reads, and what extends it, is read as glibc does. */
		o.format = i < sa->nfiles ? sa->format : SVC_FORMAT_SERVICES;
		rc = i < nfiles ? entry_set_add_source(set, files[i], &o, err, errlen)
				: entry_set_add_dropins(set, dir, &o, err, errlen);
		if (rc == 0)
			continue;
		if (on_error == NULL)
			return rc;
		on_error(ctx, i < nfiles ? files[i] : dir, err);
		if (first == 0)
			first = rc;
	}
	return first;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: portdb COMMAND [OPTION]... [ARG]...\n"
		"Build, check and query the services database that libnss_portdb.so.2\n"
		"answers from.\n"
		"\n"
		"Commands:\n"
		"  build [-o DB] [SOURCE]...   index SOURCEs (default %s and the\n"
		"                              drop-in directory %s)\n"
		"                              into DB (default %s)\n"
		"  check [FILE]...             report every problem in services data\n"
		"  get [--db DB] KEY...        look up NAME, NAME/PROTO, PORT, PORT/PROTO or\n"
		"                              LOW-HIGH[/PROTO]\n"
		"  dump [--db DB]              print the database as services(5) text\n"
		"  info [--db DB]              describe the database: sources, state, trust\n"
		"  convert [FILE]...           print IANA CSV, Wireshark or nmap data as\n"
		"                              services(5) text\n"
		"  nsswitch enable|disable|status  put portdb on the services line of\n"
		"                              /etc/nsswitch.conf, take it off, or check\n"
		"\n"
		"Run 'portdb COMMAND --help' for a command's options, 'man portdb' for more.\n",
		DEFAULT_SOURCE, default_dropin_dir(), default_db_path());
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "build", cmd_build },
	{ "check", cmd_check },
	{ "convert", cmd_convert },
	{ "dump", cmd_dump },
	{ "get", cmd_get },
	{ "info", cmd_info },
	{ "nsswitch", cmd_nsswitch },
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_FAILURE_;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("portdb (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	warnx_("unknown command '%s'", argv[1]);
	usage(stderr);
	return EXIT_FAILURE_;
}
