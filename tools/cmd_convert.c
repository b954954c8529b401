/* portdb convert: any input format as services(5) text, entry for entry
 * what `portdb build` indexes from it. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "portdb.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: portdb convert [OPTION]... [FILE]...\n"
		"Print the entries of the FILEs as services(5) text: exactly what\n"
		"'portdb build --format=FORMAT' indexes from them, in the same order, FORMAT\n"
		"the one given or guessed from the content (a comment before each file's\n"
		"entries names it).  With no FILE: %s and the drop-in directory\n"
		"%s, as services(5) text ('portdb build' reads them so).\n"
		"FILE '-' is standard input.\n"
		"\n"
		"Formats: services (glibc's rules), iana-csv (IANA's\n"
		"service-names-port-numbers.csv; a row without a name, port or protocol\n"
		"is skipped; a range gives one entry per port), wireshark (80/tcp/udp is\n"
		"two entries; a range gives one entry per port), nmap (nmap-services: the\n"
		"frequency is dropped).\n"
		"\n"
		"  -f, --format FORMAT    read the FILEs named as services, iana-csv,\n"
		"                         wireshark or nmap (default: guessed from the\n"
		"                         content; drop-ins are always services)\n"
		"      --dropin-dir DIR   also read the *.conf files of DIR, after the FILEs\n"
		"      --no-dropins       read no drop-in directory\n"
		"  -h, --help             show this help\n"
		"\n"
		"Exit status: 0 success, 1 error (a FILE cannot be read; a malformed CSV\n"
		"row, named by FILE:LINE).\n",
		DEFAULT_SOURCE, default_dropin_dir());
}

/* The text, printed from the parsed lines as the reader gives them.
 * Into memory, not stdout: a malformed row in a later file must leave
 * nothing printed. */
struct converter {
	struct svc_sink sink;
	const struct entry_set *set;
	FILE *out;
	enum svc_format format;   /* of the source being read */
	int headed;               /* its comment printed */
	unsigned long entries;
};

static int conv_begin(void *ctx, const char *path, enum svc_format format)
{
	struct converter *c = ctx;

	(void)path;
	c->format = format;
	c->headed = 0;
	return 0;
}

static int conv_entry(void *ctx, const struct svc_line *l, const struct svc_pos *pos)
{
	struct converter *c = ctx;

	(void)pos;
	/* A comment before each source's entries; the first line starts
	 * "# portdb ", so building from this text reads it as services
	 * text.  collect.c records the source (absolute) before reading. */
	if (!c->headed) {
		const char *path = c->set->sources[c->set->nsources - 1].path;
		char shown[1024];

		show_bytes(shown, sizeof shown, strcmp(path, "-") ? path : "<stdin>", 200);
		fprintf(c->out, "# portdb convert: %s (%s)\n", shown, svc_format_name(c->format));
		c->headed = 1;
	}
	print_svc_line(c->out, l);
	c->entries++;
	return ferror(c->out) ? ENOMEM : 0;
}

int cmd_convert(int argc, char **argv)
{
	static const struct cmd_spec spec = {
		.name = "convert", .common = OPT_SOURCES, .max_args = -1, .usage = usage,
		.usage_status = EXIT_FAILURE_,
	};
	struct cmd_line cl = { .sa.format = SVC_FORMAT_AUTO };   /* guessing is its job */
	struct entry_set set = { 0 };
	struct converter conv = { .set = &set };
	char err[1024], *text = NULL;
	size_t textlen = 0;
	int rc, status = EXIT_FAILURE_;

	if (cmd_option(&spec, &cl, argc, argv) != 0)
		return cl.status;
	conv.sink = (struct svc_sink){ .ctx = &conv, .begin = conv_begin, .entry = conv_entry };
	struct collect_opts co = { .observer = &conv.sink, .observe_only = 1 };

	conv.out = open_memstream(&text, &textlen);
	if (conv.out == NULL) {
		warnx_("convert: %s", strerror(errno));
		return EXIT_FAILURE_;
	}
	rc = read_sources(&set, &cl.sa, &co, NULL, NULL, err, sizeof err);
	if (fclose(conv.out) != 0 && rc == 0) {
		rc = ENOMEM;
		snprintf(err, sizeof err, "convert: %s", strerror(rc));
	}
	if (rc != 0) {
		warnx_("%s", err);
		goto out;
	}
	fwrite(text, 1, textlen, stdout);
	if (conv.entries == 0)
		printf("# portdb convert: no entries\n");
	status = EXIT_OK;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warnx_("convert: write error");
		status = EXIT_FAILURE_;
	}
out:
	free(text);
	entry_set_free(&set);
	return status;
}
