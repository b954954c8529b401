/* portdb convert: any input format as services(5) text, entry for entry
 * what `portdb build` indexes from it. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "entry.h"
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

/* The format each source was read in, by source index. */
struct formats_seen {
	struct svc_sink sink;
	const struct entry_set *set;
	enum svc_format *f;
	size_t n;
};

static int seen_begin(void *ctx, const char *path, enum svc_format format)
{
	struct formats_seen *s = ctx;
	/* collect.c records the source before it reads it. */
	size_t idx = s->set->nsources - 1;
	enum svc_format *f;

	if (idx >= s->n) {
		f = realloc(s->f, (idx + 1) * sizeof *f);
		if (f == NULL)
			return ENOMEM;
		for (size_t i = s->n; i <= idx; i++)
			f[i] = SVC_FORMAT_AUTO;
		s->f = f;
		s->n = idx + 1;
	}
	s->f[idx] = format;
	return 0;
}

int cmd_convert(int argc, char **argv)
{
	static const struct cmd_spec spec = {
		.name = "convert", .common = OPT_SOURCES, .max_args = -1, .usage = usage,
		.usage_status = EXIT_FAILURE_,
	};
	struct cmd_line cl = { .sa.format = SVC_FORMAT_AUTO };   /* guessing is its job */
	struct entry_set set = { 0 };
	struct formats_seen seen = { 0 };
	char err[1024], shown[1024];
	int rc, status = EXIT_FAILURE_;
	uint32_t last = UINT32_MAX;

	if (cmd_option(&spec, &cl, argc, argv) != 0)
		return cl.status;
	seen.sink = (struct svc_sink){ .ctx = &seen, .begin = seen_begin };
	seen.set = &set;
	struct collect_opts co = { .observer = &seen.sink };

	rc = read_sources(&set, &cl.sa, &co, NULL, NULL, err, sizeof err);
	if (rc != 0) {
		warnx_("%s", err);
		goto out;
	}
	for (uint32_t i = 0; i < set.count; i++) {
		struct entry_view v;
		size_t end = i + 1 < set.count ? set.offsets[i + 1] : set.used;

		if (entry_decode(set.arena + set.offsets[i], end - set.offsets[i], &v) == 0) {
			warnx_("convert: entry %u does not decode", i);
			goto out;
		}
		/* A comment before each source's entries; the first line
		 * starts "# portdb ", so building from this text reads it as
		 * services text. */
		if (v.source != last) {
			const char *path = v.source < set.nsources ? set.sources[v.source].path : "?";
			show_bytes(shown, sizeof shown, strcmp(path, "-") ? path : "<stdin>", 200);
			printf("# portdb convert: %s (%s)\n", shown,
			       svc_format_name(v.source < seen.n ? seen.f[v.source] : SVC_FORMAT_AUTO));
			last = v.source;
		}
		print_services_line(stdout, v.name, ntohs(v.port_net), v.proto, v.aliases,
				    v.naliases);
	}
	if (set.count == 0)
		printf("# portdb convert: no entries\n");
	status = EXIT_OK;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warnx_("convert: write error");
		status = EXIT_FAILURE_;
	}
out:
	free(seen.f);
	entry_set_free(&set);
	return status;
}
