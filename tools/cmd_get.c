/* portdb get: look keys up in a database file directly (no NSS). */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "portdb.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: portdb get [--db DB] KEY...\n"
		"Look up each KEY in DB (default %s) and print it as\n"
		"'getent services' does.  KEY is NAME, NAME/PROTO, PORT or PORT/PROTO.\n"
		"Exit status: 0 all found, 1 error, 2 a key was not found.\n"
		"\n"
		"  -d, --db DB   read DB instead of the default\n"
		"  -h, --help    show this help\n",
		default_db_path());
}

static void print_entry(const struct entry_view *v)
{
	const char *a = v->aliases;

	printf("%-21s %u/%s", v->name, (unsigned)ntohs(v->port_net), v->proto);
	for (uint32_t i = 0; i < v->naliases; i++) {
		printf(" %s", a);
		a += strlen(a) + 1;
	}
	putchar('\n');
}

/* A port key is digits only, as getent reads it (strtol, base 10). */
static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	long v;

	if (*s == '\0')
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0')
		return 0;
	if (errno != 0 || v < 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 1;
}

static int lookup(const struct portdb *db, char *key)
{
	char *slash = strchr(key, '/');
	const char *proto = NULL;
	struct entry_view v;
	uint16_t port = 0;
	int kind, rc;

	if (slash != NULL) {
		*slash = '\0';
		proto = slash + 1;
	}
	kind = parse_port(key, &port);
	if (kind < 0) {
		warnx_("get: %s: port out of range 0-65535", key);
		return EXIT_NOT_FOUND;
	}
	struct query q = { .kind = kind > 0 ? QUERY_PORT : QUERY_NAME, .name = key,
			   .len = strlen(key), .port_net = htons(port), .proto = proto };
	rc = portdb_find(db, &q, &v);
	if (rc == ENOENT)
		return EXIT_NOT_FOUND;
	if (rc != 0) {
		warnx_("get: %s: %s", key, rc == EBADMSG ? "corrupt record" : strerror(rc));
		return EXIT_FAILURE_;
	}
	print_entry(&v);
	return EXIT_OK;
}

int cmd_get(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = default_db_path();
	struct portdb *db;
	char why[512] = "";
	int c, rc, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "+d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_FAILURE_;
		}
	}
	if (optind == argc) {
		warnx_("get: no KEY given");
		usage(stderr);
		return EXIT_FAILURE_;
	}
	rc = portdb_open(path, 0, &db, why, sizeof why);
	if (rc != 0) {
		warnx_("%s", why[0] ? why : strerror(rc));
		return EXIT_FAILURE_;
	}
	for (int i = optind; i < argc; i++) {
		int r = lookup(db, argv[i]);
		/* An error outranks a missing key. */
		if (r == EXIT_FAILURE_ || (r == EXIT_NOT_FOUND && status == EXIT_OK))
			status = r;
	}
	portdb_close(db);
	return status;
}
