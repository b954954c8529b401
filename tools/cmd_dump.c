/* portdb dump: the database as services(5) text, in file order. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "portdb.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: portdb dump [OPTION]...\n"
		"Print every entry of DB (default %s) as services(5)\n"
		"text, in the order getservent gives them.  Building a database from\n"
		"the dump gives one that answers every lookup the same way.\n"
		"\n"
		"  -d, --db DB   read DB instead of the default\n"
		"  -h, --help    show this help\n"
		"\n"
		"Exit status: 0 success, 1 error.\n",
		default_db_path());
}

int cmd_dump(int argc, char **argv)
{
	static const struct cmd_spec spec = {
		.name = "dump", .common = OPT_DB, .usage = usage, .usage_status = EXIT_FAILURE_,
	};
	struct cmd_line cl = { 0 };
	const char *path;
	struct portdb *db;
	char why[512] = "", shown[1024];
	int rc, status = EXIT_OK;

	if (cmd_option(&spec, &cl, argc, argv) != 0)
		return cl.status;
	path = cl.db;
	/* The trust rules protect programs that answer from the file; a
	 * dump only shows it. */
	rc = portdb_open(path, PORTDB_OPEN_UNTRUSTED, &db, why, sizeof why);
	if (rc != 0) {
		warnx_("%s", why[0] ? why : strerror(rc));
		return EXIT_FAILURE_;
	}
	/* "# portdb " first: format detection then reads the dump as
	 * services text whatever its protocols look like. */
	show_bytes(shown, sizeof shown, path, 200);
	printf("# portdb dump of %s: %u %s, services(5) text\n", shown, portdb_entries(db),
	       plural(portdb_entries(db), "entry", "entries"));
	for (uint32_t seq = 0; seq < portdb_entries(db); seq++) {
		struct entry_view v;

		rc = portdb_entry_at(db, seq, &v);
		if (rc != 0) {
			warnx_("dump: %s: entry %u: %s", path, seq,
			       rc == EBADMSG ? "corrupt record" : strerror(rc));
			status = EXIT_FAILURE_;
			break;
		}
		print_services_line(stdout, v.name, ntohs(v.port_net), v.proto, v.aliases,
				    v.naliases);
	}
	portdb_close(db);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warnx_("dump: write error");
		return EXIT_FAILURE_;
	}
	return status;
}
