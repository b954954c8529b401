/* portdb build: index services text and publish the database. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "portdb.h"
#include "writer.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: portdb build [-o DB] [SOURCE]\n"
		"Index the services file SOURCE (default /etc/services) into DB\n"
		"(default %s), replacing it atomically.\n"
		"Lines that glibc ignores are skipped and counted.  On any error the\n"
		"old database is left as it was.\n"
		"\n"
		"  -o, --output DB   write DB instead of the default\n"
		"  -q, --quiet       print nothing on success\n"
		"  -h, --help        show this help\n",
		default_db_path());
}

int cmd_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = default_db_path();
	const char *source = "/etc/services";
	struct entry_set set = { 0 };
	char err[1024];
	int quiet = 0, c, rc;

	while ((c = getopt_long(argc, argv, "+o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_FAILURE_;
		}
	}
	if (argc - optind > 1) {
		warnx_("build: one SOURCE at most");
		return EXIT_FAILURE_;
	}
	if (optind < argc)
		source = argv[optind];

	rc = entry_set_add_file(&set, source, NULL, NULL, err, sizeof err);
	if (rc == 0) {
		portdb_publish_cleanup_on_signals();
		rc = portdb_publish(&set, output, err, sizeof err);
	}
	if (rc != 0) {
		warnx_("%s", err);
		entry_set_free(&set);
		return EXIT_FAILURE_;
	}
	if (!quiet)
		printf("%s: %s: %u entries, %u lines skipped\n", progname, source,
		       set.count, set.skipped);
	entry_set_free(&set);
	return EXIT_OK;
}
