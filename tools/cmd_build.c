/* portdb build: index services sources and publish the database. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "lint.h"
#include "portdb.h"
#include "writer.h"

/* How many times build reads and publishes before giving up on sources
 * that keep changing under it. */
#define BUILD_ATTEMPTS 5

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: portdb build [OPTION]... [SOURCE]...\n"
		"Index the SOURCEs, in priority order, into DB (default %s),\n"
		"replacing it atomically.  With no SOURCE: %s, then the drop-in\n"
		"directory %s.\n"
		"An entry of an earlier source wins over a later one, as an earlier line\n"
		"wins over a later one in one file.  Lines that glibc ignores are skipped\n"
		"and counted.  On any error the old database is left as it was.\n"
		"\n"
		"  -o, --output DB        write DB instead of the default\n"
		"  -f, --format FORMAT    read the SOURCEs named as FORMAT: services (the\n"
		"                         default: glibc's reading, whatever the text looks\n"
		"                         like), iana-csv, wireshark, nmap, or auto (guessed\n"
		"                         from the content, as convert does); the default\n"
		"                         sources and drop-ins are always services\n"
		"      --dropin-dir DIR   also read the *.conf files of DIR, in name order,\n"
		"                         after the SOURCEs (the default when no SOURCE is\n"
		"                         given is %s)\n"
		"      --no-dropins       read no drop-in directory\n"
		"      --strict           publish nothing when 'portdb check' would report\n"
		"                         an error; print the errors\n"
		"  -q, --quiet            print nothing on success\n"
		"  -h, --help             show this help\n"
		"\n"
		"Exit status: 0 published and current (no source changed since it was\n"
		"read), 1 nothing published, 3 published but stale (the sources kept\n"
		"changing during %d builds), 4 published and current, but the directory's\n"
		"fsync failed: it may not survive a crash.\n",
		default_db_path(), DEFAULT_SOURCE, default_dropin_dir(), default_dropin_dir(),
		BUILD_ATTEMPTS);
}

struct source_stat {
	char *path;
	enum svc_format format;
	unsigned long entries, skipped;
};

/* What build sees of the reading: per-source counts, progress, and the
 * checks of --strict, forwarded. */
struct build_obs {
	struct svc_sink sink;
	const struct svc_sink *lint;     /* --strict; else NULL */
	struct source_stat *st;
	size_t n;
	unsigned long total;
};

static int b_begin(void *ctx, const char *path, enum svc_format format)
{
	struct build_obs *b = ctx;
	struct source_stat *st = realloc(b->st, (b->n + 1) * sizeof *st);
	char phase[300];

	if (st == NULL)
		return ENOMEM;
	b->st = st;
	st[b->n] = (struct source_stat){ .path = strdup(path), .format = format };
	if (st[b->n].path == NULL)
		return ENOMEM;
	b->n++;
	snprintf(phase, sizeof phase, "reading %s", path);
	progress_phase(phase);
	return b->lint != NULL ? b->lint->begin(b->lint->ctx, path, format) : 0;
}

static int b_end(void *ctx, const char *path, unsigned long entries, unsigned long skipped)
{
	struct build_obs *b = ctx;

	b->st[b->n - 1].entries = entries;
	b->st[b->n - 1].skipped = skipped;
	return 0;
}

static int b_line(void *ctx, unsigned long lineno, const char *raw, size_t len)
{
	struct build_obs *b = ctx;

	return b->lint != NULL ? b->lint->line(b->lint->ctx, lineno, raw, len) : 0;
}

static int b_entry(void *ctx, const struct svc_line *l, const struct svc_pos *pos)
{
	struct build_obs *b = ctx;

	progress_count(++b->total);
	return b->lint != NULL ? b->lint->entry(b->lint->ctx, l, pos) : 0;
}

static int b_issue(void *ctx, const struct svc_issue *is)
{
	struct build_obs *b = ctx;

	return b->lint != NULL ? b->lint->issue(b->lint->ctx, is) : 0;
}

static void report(const struct build_obs *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct source_stat *s = &b->st[i];
		const char *unit = s->format == SVC_FORMAT_IANA_CSV ? "row" : "line";

		printf("%s: %s", progname, s->path);
		if (s->format != SVC_FORMAT_SERVICES)
			printf(" (%s)", svc_format_name(s->format));
		printf(": %lu entr%s, %lu %s%s skipped\n", s->entries, s->entries == 1 ? "y" : "ies",
		       s->skipped, unit, s->skipped == 1 ? "" : "s");
	}
}

static void obs_reset(struct build_obs *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->st[i].path);
	free(b->st);
	b->st = NULL;
	b->n = 0;
	b->total = 0;
}

int cmd_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "strict", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cmd_spec spec = {
		.name = "build", .common = OPT_QUIET | OPT_SOURCES, .shortopts = "o:",
		.longopts = opts, .max_args = -1, .usage = usage, .usage_status = EXIT_FAILURE_,
	};
	const char *output = default_db_path();
	struct cmd_line cl = { 0 };
	struct source_args sa;
	struct entry_set set = { 0 };
	struct build_obs obs = { 0 };
	struct lint *lt = NULL;
	char err[1024], why[1024];
	int strict = 0, not_durable = 0, c, rc, status = EXIT_FAILURE_;

	while ((c = cmd_option(&spec, &cl, argc, argv)) > 0) {
		if (c == 'o')
			output = optarg;
		else
			strict = 1;   /* --strict */
	}
	if (c < 0)
		return cl.status;
	if (output[0] == '\0')
		return usage_error(&spec, "-o: the database path is empty");
	sa = cl.sa;
	for (int i = 0; i < sa.nfiles; i++) {
		if (strcmp(sa.files[i], "-") == 0) {
			return usage_error(&spec, "a SOURCE must be a file, whose changes make "
					   "the database stale; not standard input");
		}
	}
	obs.sink = (struct svc_sink){ .ctx = &obs, .begin = b_begin, .end = b_end,
				      .line = b_line, .entry = b_entry, .issue = b_issue };
	struct collect_opts co = { .observer = &obs.sink, .regular_only = 1 };

	if (!cl.quiet)
		progress_start();
	portdb_publish_cleanup_on_signals();
	/* Published is not enough: a source edited while it was being read
	 * or indexed would leave a stale database behind an exit status 0
	 * (and the path unit's request for a rebuild merges into the run
	 * that missed it).  So read again until what was published is what
	 * the sources hold. */
	for (int attempt = 1;; attempt++) {
		if (strict) {
			int proto_err;
			lint_free(lt);
			lt = lint_new("/etc/protocols", &proto_err);
			if (lt == NULL) {
				progress_stop();
				warnx_("build: out of memory");
				goto out;
			}
			obs.lint = lint_sink(lt);
		}
		rc = read_sources(&set, &sa, &co, NULL, NULL, err, sizeof err);
		if (rc == 0 && lt != NULL && lint_errors(lt) > 0) {
			progress_stop();
			lint_print(lt, stderr, 1);
			warnx_("build: --strict: %lu error%s in the sources ('portdb check' lists "
			       "every finding); %s not written", lint_errors(lt),
			       lint_errors(lt) == 1 ? "" : "s", output);
			goto out;
		}
		if (rc == 0) {
			char phase[300];
			snprintf(phase, sizeof phase, "writing %s", output);
			progress_phase(phase);
			rc = portdb_publish(&set, output, err, sizeof err);
		}
		if (rc == PORTDB_NOT_DURABLE) {
			/* In place all the same: say so, and go on checking. */
			progress_stop();
			warnx_("%s", err);
			not_durable = 1;
			rc = 0;
		}
		if (rc != 0) {
			progress_stop();
			warnx_("%s", err);
			if (attempt > 1)
				warnx_("build: %s is the one published before, from sources "
				       "that changed since: it is stale", output);
			goto out;
		}
		if (entry_set_check_current(&set, why, sizeof why) == 0)
			break;
		if (attempt == BUILD_ATTEMPTS) {
			progress_stop();
			warnx_("build: %s published, but stale: %s (the sources changed "
			       "during each of %d builds)", output, why, BUILD_ATTEMPTS);
			status = EXIT_BUILD_STALE;
			goto out;
		}
		entry_set_free(&set);
		obs_reset(&obs);
		progress_phase("a source changed: reading again");
	}
	progress_stop();
	if (!cl.quiet)
		report(&obs);
	status = not_durable ? EXIT_BUILD_NOT_DURABLE : EXIT_OK;
out:
	obs_reset(&obs);
	lint_free(lt);
	entry_set_free(&set);
	return status;
}
