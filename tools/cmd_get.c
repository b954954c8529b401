/* portdb get: look keys up in a database file directly (no NSS). */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
#include "portdb.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: portdb get [OPTION]... KEY...\n"
		"Look up each KEY in DB (default %s) and print what\n"
		"'getent services' prints for it.  KEY is NAME, NAME/PROTO, PORT,\n"
		"PORT/PROTO, or a range LOW-HIGH[/PROTO]: every entry with a port in the\n"
		"range, in port order.  A NAME or PORT finds the entry that\n"
		"getservbyname/getservbyport would return.  A database the module does\n"
		"not answer from (stale: a source changed since the build; or not\n"
		"trusted, see 'portdb info') is read all the same, with a warning on\n"
		"standard error.\n"
		"\n"
		"  -d, --db DB   read DB instead of the default\n"
		"  -l, --long    also print the aliases, the source file and line, and\n"
		"                the port's IANA class: system (well-known, 0-1023), user\n"
		"                (registered, 1024-49151), dynamic (private, 49152-65535)\n"
		"  -j, --json    print a JSON array with one object per KEY, holding the\n"
		"                same as --long\n"
		"  -h, --help    show this help\n"
		"\n"
		"Exit status: 0 every KEY found, 1 error (bad usage, a malformed KEY such\n"
		"as port 99999, no database), 2 a KEY was not found.\n",
		default_db_path());
}

enum style { STYLE_GETENT, STYLE_LONG, STYLE_JSON };

struct getter {
	const struct portdb *db;
	enum style style;
	int nprinted;        /* entries printed for the current key (JSON commas) */
};

static const char *source_path(const struct portdb *db, uint16_t source)
{
	const struct portdb_source *s = portdb_source(db, source);

	return s != NULL ? s->path : "?";
}

static void print_entry(struct getter *g, const struct entry_view *v)
{
	unsigned port = ntohs(v->port_net);
	const char *a = v->aliases;

	if (g->style == STYLE_JSON) {
		printf("%s\n      {\"name\": ", g->nprinted++ ? "," : "");
		json_string(stdout, v->name);
		printf(", \"port\": %u, \"protocol\": ", port);
		json_string(stdout, v->proto);
		printf(", \"aliases\": [");
		for (uint32_t i = 0; i < v->naliases; i++) {
			printf("%s", i ? ", " : "");
			json_string(stdout, a);
			a += strlen(a) + 1;
		}
		printf("], \"class\": \"%s\", \"source\": ", port_class(port, 0));
		json_string(stdout, source_path(g->db, v->source));
		printf(", \"line\": %u}", (unsigned)v->line);
		return;
	}
	if (g->style == STYLE_LONG && g->nprinted++ > 0)
		putchar('\n');
	printf("%-21s %u/%s", v->name, port, v->proto);
	for (uint32_t i = 0; i < v->naliases; i++) {
		printf(" %s", a);
		a += strlen(a) + 1;
	}
	putchar('\n');
	if (g->style != STYLE_LONG)
		return;
	printf("  aliases: ");
	a = v->aliases;
	for (uint32_t i = 0; i < v->naliases; i++) {
		printf("%s%s", i ? " " : "", a);
		a += strlen(a) + 1;
	}
	printf("%s\n", v->naliases ? "" : "-");
	printf("  class:   %s\n", port_class(port, 1));
	printf("  source:  %s:%u\n", source_path(g->db, v->source), (unsigned)v->line);
}

/* A port, as getent reads one: digits only (strtol, base 10).
 * @return 1 a port, 0 not a number, -1 a number out of range. */
static int parse_port(const char *s, const char *end, uint16_t *port)
{
	unsigned long v = 0;

	if (s == end)
		return 0;
	for (const char *p = s; p < end; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		if (v <= 65535)
			v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 1;
}

struct hit {
	uint16_t port;
	uint32_t seq;
};

static int by_port(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Every entry with a port in LOW..HIGH (and protocol PROTO, unless
 * NULL), in port order, then file order. */
static int lookup_range(struct getter *g, uint16_t low, uint16_t high, const char *proto)
{
	struct hit *hits = NULL;
	size_t n = 0, cap = 0;
	struct entry_view v;
	int rc = 0;

	for (uint32_t seq = 0; seq < portdb_entries(g->db); seq++) {
		uint16_t port;

		rc = portdb_entry_at(g->db, seq, &v);
		if (rc != 0)
			break;
		port = ntohs(v.port_net);
		if (port < low || port > high || (proto != NULL && strcmp(proto, v.proto) != 0))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct hit *h = realloc(hits, ncap * sizeof *h);
			if (h == NULL) {
				rc = ENOMEM;
				break;
			}
			hits = h;
			cap = ncap;
		}
		hits[n++] = (struct hit){ port, seq };
	}
	if (rc == 0 && n > 0) {
		qsort(hits, n, sizeof *hits, by_port);
		for (size_t i = 0; i < n && rc == 0; i++) {
			rc = portdb_entry_at(g->db, hits[i].seq, &v);
			if (rc == 0)
				print_entry(g, &v);
		}
	}
	free(hits);
	if (rc == 0 && n == 0)
		rc = ENOENT;
	return rc;
}

static int lookup(struct getter *g, const char *key)
{
	const char *slash = strchr(key, '/'), *dash;
	const char *proto = slash != NULL ? slash + 1 : NULL;
	const char *end = slash != NULL ? slash : key + strlen(key);
	struct entry_view v;
	uint16_t port = 0, high = 0;
	int kind, rc;

	/* LOW-HIGH: a range; a name such as "x11-0" is not one. */
	dash = memchr(key, '-', (size_t)(end - key));
	if (dash != NULL && parse_port(key, dash, &port) != 0 &&
	    parse_port(dash + 1, end, &high) != 0) {
		if (parse_port(key, dash, &port) < 0 || parse_port(dash + 1, end, &high) < 0 ||
		    port > high) {
			warnx_("get: %s: not a range LOW-HIGH within 0-65535", key);
			return EXIT_FAILURE_;
		}
		rc = lookup_range(g, port, high, proto);
	} else {
		/* A key no entry could match is bad input, not "not found". */
		kind = parse_port(key, end, &port);
		if (kind < 0) {
			warnx_("get: %s: port out of range 0-65535", key);
			return EXIT_FAILURE_;
		}
		if (end == key) {
			warnx_("get: '%s': no NAME or PORT", key);
			return EXIT_FAILURE_;
		}
		struct query q = { .kind = kind > 0 ? QUERY_PORT : QUERY_NAME, .name = key,
				   .len = (size_t)(end - key), .port_net = htons(port),
				   .proto = proto };
		/* The name must be NUL-terminated where the slash is. */
		char *name = strndup(key, (size_t)(end - key));
		if (name == NULL)
			return EXIT_FAILURE_;
		q.name = name;
		rc = portdb_find(g->db, &q, &v);
		if (rc == 0)
			print_entry(g, &v);
		free(name);
	}
	if (rc == ENOENT)
		return EXIT_NOT_FOUND;
	if (rc != 0) {
		warnx_("get: %s: %s", key, rc == EBADMSG ? "corrupt record" : strerror(rc));
		return EXIT_FAILURE_;
	}
	return EXIT_OK;
}

/* Open the database at PATH (DEFAULT: the configured one).  get answers
 * from any database it can read, as the module would not from a stale or
 * untrusted one: it says so on standard error, since what it prints is
 * then not what programs get. */
static int open_db(const char *path, int is_default, struct portdb **db)
{
	char why[600] = "", *target = NULL;
	struct stat lst;
	int rc, untrusted;

	if (lstat(path, &lst) != 0) {
		rc = errno;
		if (rc == ENOENT)
			warnx_("get: %s: no database; run 'portdb build%s%s' to build it", path,
			       is_default ? "" : " -o ", is_default ? "" : path);
		else
			warnx_("%s: %s", path, strerror(rc));
		return rc;
	}
	/* The module refuses a symbolic link; get reads what it points to. */
	if (S_ISLNK(lst.st_mode) && (target = realpath(path, NULL)) == NULL) {
		rc = errno;
		warnx_("%s: %s", path, strerror(rc));
		return rc;
	}
	rc = portdb_open(target != NULL ? target : path, PORTDB_OPEN_UNTRUSTED, db, why,
			 sizeof why);
	free(target);
	if (rc != 0) {
		warnx_("%s", why[0] ? why : strerror(rc));
		return rc;
	}
	if (S_ISLNK(lst.st_mode)) {
		snprintf(why, sizeof why, "%s is a symbolic link", path);
		untrusted = 1;
	} else {
		untrusted = portdb_trust(path, portdb_stat(*db), why, sizeof why) != 0;
	}
	if (untrusted)
		warnx_("get: warning: %s: the module does not trust it, so programs are not "
		       "answered from it", why);
	if (portdb_check_sources(*db, why, sizeof why) != 0)
		warnx_("get: warning: %s is stale: %s; programs are not answered from it until "
		       "'portdb build' runs again", path, why);
	return 0;
}

int cmd_get(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "long", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cmd_spec spec = {
		.name = "get", .common = OPT_DB, .shortopts = "lj", .longopts = opts,
		.min_args = 1, .max_args = -1, .args_name = "KEY", .usage = usage,
		.usage_status = EXIT_FAILURE_,
	};
	struct cmd_line cl = { 0 };
	struct getter g = { .style = STYLE_GETENT };
	struct portdb *db;
	int c, status = EXIT_OK;

	while ((c = cmd_option(&spec, &cl, argc, argv)) > 0)
		g.style = c == 'l' ? STYLE_LONG : STYLE_JSON;
	if (c < 0)
		return cl.status;
	if (open_db(cl.db, cl.db == default_db_path(), &db) != 0)
		return EXIT_FAILURE_;
	g.db = db;
	if (g.style == STYLE_JSON)
		printf("[");
	for (int i = 0; i < cl.nargs; i++) {
		int r;

		if (g.style == STYLE_JSON) {
			printf("%s\n  {\"key\": ", i > 0 ? "," : "");
			json_string(stdout, cl.args[i]);
			printf(", \"entries\": [");
			g.nprinted = 0;
		}
		r = lookup(&g, cl.args[i]);
		if (g.style == STYLE_JSON)
			printf("%s]}", g.nprinted ? "\n    " : "");
		/* An error outranks a missing key. */
		if (r == EXIT_FAILURE_ || (r == EXIT_NOT_FOUND && status == EXIT_OK))
			status = r;
	}
	if (g.style == STYLE_JSON)
		printf("\n]\n");
	portdb_close(db);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warnx_("get: write error");
		return EXIT_FAILURE_;
	}
	return status;
}
