/* portdb check: a linter for services data. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "lint.h"
#include "portdb.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: portdb check [OPTION]... [FILE]...\n"
		"Report every problem in services data, one line per finding:\n"
		"  FILE:LINE:COL: error|warning|note: MESSAGE\n"
		"(COL counts bytes from 1), then a summary on standard error.  With no\n"
		"FILE: %s and the drop-in directory %s,\n"
		"as 'portdb build' reads them.  FILE '-' is standard input.\n"
		"\n"
		"Errors: lines glibc drops silently (no port, junk after the port, a\n"
		"space before '/', a port above 4294967295 or negative, a '#' in the\n"
		"name, a port range), malformed CSV rows, files that cannot be read.\n"
		"Warnings: entries an earlier line shadows (same name or alias and\n"
		"protocol), ports claimed by two services, ports glibc wraps (65616 is 80)\n"
		"or reads as octal or hex, a '#' inside a token, a NUL byte, control or\n"
		"non-UTF-8 bytes, protocols not in the protocols file, port ranges that\n"
		"become one entry per port, CSV rows services(5) cannot hold.\n"
		"Notes: a services file that looks like nmap-services, Wireshark's merged\n"
		"form or IANA's CSV; glibc reads it as services text all the same, and\n"
		"--format converts it.  Notes do not change the exit status.\n"
		"\n"
		"  -f, --format FORMAT    read the FILEs named as FORMAT: services (the\n"
		"                         default: glibc's reading, whatever the text looks\n"
		"                         like), iana-csv, wireshark, nmap, or auto (guessed\n"
		"                         from the content, as convert does); the default\n"
		"                         sources and drop-ins are always services\n"
		"      --dropin-dir DIR   also read the *.conf files of DIR, after the FILEs\n"
		"      --no-dropins       read no drop-in directory\n"
		"  -p, --protocols FILE   check protocols against FILE (default\n"
		"                         /etc/protocols; '' checks none)\n"
		"  -q, --quiet            no summary\n"
		"  -h, --help             show this help\n"
		"\n"
		"Exit status: 0 no error or warning, 1 warnings only, 2 errors (or bad\n"
		"usage).\n",
		DEFAULT_SOURCE, default_dropin_dir());
}

static void on_error(void *ctx, const char *path, const char *msg)
{
	lint_source_error(ctx, path, msg);
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "protocols", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cmd_spec spec = {
		.name = "check", .common = OPT_QUIET | OPT_SOURCES, .shortopts = "p:",
		.longopts = opts, .max_args = -1, .usage = usage, .usage_status = CHECK_ERRORS,
	};
	struct cmd_line cl = { 0 };
	struct entry_set set = { 0 };
	const char *protocols = "/etc/protocols";
	struct lint *lt;
	char err[1024];
	int c, rc, proto_err, status, write_err;

	while ((c = cmd_option(&spec, &cl, argc, argv)) > 0)
		protocols = optarg[0] != '\0' ? optarg : NULL;   /* -p */
	if (c < 0)
		return cl.status;

	lt = lint_new(protocols, &proto_err);
	if (lt == NULL) {
		warnx_("check: out of memory");
		return CHECK_ERRORS;
	}
	if (proto_err != 0)
		warnx_("%s: %s; protocols are not checked", protocols, strerror(proto_err));
	/* The linter hears every line and entry; nothing needs storing. */
	struct collect_opts co = { .observer = lint_sink(lt), .lenient = 1, .observe_only = 1 };
	rc = read_sources(&set, &cl.sa, &co, on_error, lt, err, sizeof err);
	(void)rc;   /* each unreadable source is a finding already */
	entry_set_free(&set);

	lint_print(lt, stdout, 0);
	/* The findings before the summary, also when both streams go to one
	 * pipe: stdout is buffered there, stderr is not. */
	write_err = fflush(stdout) != 0 || ferror(stdout);
	if (!cl.quiet) {
		unsigned long e = lint_errors(lt), w = lint_warnings(lt);
		unsigned long n = lint_entries(lt), f = lint_files(lt);
		unsigned long skipped = lint_rows_skipped(lt);

		fprintf(stderr, "%s: %lu %s, %lu %s in %lu %s from %lu %s", progname, e,
			plural(e, "error", "errors"), w, plural(w, "warning", "warnings"), n,
			plural(n, "entry", "entries"), f, plural(f, "file", "files"));
		if (skipped > 0)
			fprintf(stderr, "; %lu CSV %s without a name, port or protocol skipped",
				skipped, plural(skipped, "row", "rows"));
		fputc('\n', stderr);
	}
	status = lint_errors(lt) > 0 ? CHECK_ERRORS
		 : lint_warnings(lt) > 0 ? CHECK_WARNINGS : CHECK_CLEAN;
	lint_free(lt);
	if (write_err) {
		warnx_("check: write error");
		return CHECK_ERRORS;
	}
	return status;
}
