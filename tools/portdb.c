/* portdb: build and query the services database of nss_portdb. */
#include <config.h>

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

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: portdb COMMAND [OPTION]... [ARG]...\n"
		"Build and query the services database that libnss_portdb.so.2 answers from.\n"
		"\n"
		"Commands:\n"
		"  build [-o DB] [SOURCE]   index services text (default %s)\n"
		"                           into DB (default %s)\n"
		"  get [--db DB] KEY...     look up NAME, NAME/PROTO, PORT or PORT/PROTO\n"
		"\n"
		"Run 'portdb COMMAND --help' for a command's options.\n",
		"/etc/services", default_db_path());
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_FAILURE_;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("portdb (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "build") == 0)
		return cmd_build(argc - 1, argv + 1);
	if (strcmp(argv[1], "get") == 0)
		return cmd_get(argc - 1, argv + 1);
	warnx_("unknown command '%s'", argv[1]);
	usage(stderr);
	return EXIT_FAILURE_;
}
