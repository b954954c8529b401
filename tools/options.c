/* The command line of every `portdb` command: one getopt_long loop for
 * the options they share, handing each command only its own. */
#include <config.h>

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portdb.h"

static const struct option help_opt[] = { { "help", no_argument, NULL, 'h' } };
static const struct option db_opt[] = { { "db", required_argument, NULL, 'd' } };
static const struct option quiet_opt[] = { { "quiet", no_argument, NULL, 'q' } };
static const struct option source_opts[] = { SOURCE_OPTS };

/* Append the COUNT options of FROM (and their short forms, SHORTOPTS) to CL's
 * tables; the tables are sized for every command in this program. */
static void add_opts(struct cmd_line *cl, size_t *n, const struct option *from, size_t count,
		     const char *shortopts)
{
	size_t used = strlen(cl->optstring);

	if (*n + count >= sizeof cl->opts / sizeof cl->opts[0] ||
	    used + strlen(shortopts) >= sizeof cl->optstring) {
		warnx_("%s: too many options (a bug)", cl->spec->name);
		abort();
	}
	if (count > 0)   /* FROM may be NULL then, which memcpy may not see */
		memcpy(&cl->opts[*n], from, count * sizeof *from);
	*n += count;
	memcpy(cl->optstring + used, shortopts, strlen(shortopts) + 1);
}

static void setup(const struct cmd_spec *spec, struct cmd_line *cl)
{
	size_t n = 0, own = 0;

	cl->spec = spec;
	cl->db = default_db_path();
	cl->optstring[0] = '\0';
	add_opts(cl, &n, help_opt, 1, "h");
	if (spec->common & OPT_DB)
		add_opts(cl, &n, db_opt, 1, "d:");
	if (spec->common & OPT_QUIET)
		add_opts(cl, &n, quiet_opt, 1, "q");
	if (spec->common & OPT_SOURCES)
		add_opts(cl, &n, source_opts, sizeof source_opts / sizeof source_opts[0], "f:");
	while (spec->longopts != NULL && spec->longopts[own].name != NULL)
		own++;
	add_opts(cl, &n, spec->longopts, own, spec->shortopts ? spec->shortopts : "");
	memset(&cl->opts[n], 0, sizeof cl->opts[n]);
	/* getopt_long starts again at argv[1] of the command's own argv. */
	optind = 1;
}

static int try_help(const struct cmd_spec *spec)
{
	fprintf(stderr, "Try '%s %s --help' for more information.\n", progname, spec->name);
	return spec->usage_status;
}

int usage_error(const struct cmd_spec *spec, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", progname, spec->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return try_help(spec);
}

/* The operands, once getopt_long has moved them behind the options. */
static int take_operands(const struct cmd_spec *spec, struct cmd_line *cl, int argc, char **argv)
{
	char shown[300];

	cl->args = argv + optind;
	cl->nargs = argc - optind;
	if (cl->nargs < spec->min_args)
		return usage_error(spec, "missing %s", spec->args_name);
	if (spec->max_args >= 0 && cl->nargs > spec->max_args) {
		show_bytes(shown, sizeof shown, cl->args[spec->max_args], 100);
		return usage_error(spec, "unexpected argument '%s'", shown);
	}
	if (spec->common & OPT_SOURCES) {
		cl->sa.files = cl->args;
		cl->sa.nfiles = cl->nargs;
		if (source_args_check(&cl->sa, shown, sizeof shown) != 0) {
			warnx_("%s", shown);
			return try_help(spec);
		}
	}
	return -1;
}

int cmd_option(const struct cmd_spec *spec, struct cmd_line *cl, int argc, char **argv)
{
	char label[64], *argv0;
	int c, r;

	if (cl->spec == NULL)
		setup(spec, cl);
	for (;;) {
		/* getopt_long names argv[0] in its messages: "portdb: get: ...". */
		snprintf(label, sizeof label, "%s: %s", progname, spec->name);
		argv0 = argv[0];
		argv[0] = label;
		c = getopt_long(argc, argv, cl->optstring, cl->opts, NULL);
		argv[0] = argv0;
		switch (c) {
		case -1:
			cl->status = take_operands(spec, cl, argc, argv);
			return cl->status == -1 ? 0 : -1;
		case 'h':
			spec->usage(stdout);
			cl->status = EXIT_OK;
			return -1;
		case '?':   /* getopt_long has said what is wrong */
			cl->status = try_help(spec);
			return -1;
		case 'd':
			if (!(spec->common & OPT_DB))
				return c;
			cl->db = optarg;
			continue;
		case 'q':
			if (!(spec->common & OPT_QUIET))
				return c;
			cl->quiet = 1;
			continue;
		}
		if (!(spec->common & OPT_SOURCES))
			return c;
		r = source_option(&cl->sa, c, optarg);
		if (r == 0)
			return c;
		if (r < 0) {
			cl->status = try_help(spec);
			return -1;
		}
	}
}
