/* portdb info: what a database file is, what it was built from, and
 * whether the module will answer from it. */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "portdb.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: portdb info [OPTION]...\n"
		"Describe DB (default %s): its path, format version,\n"
		"size, LMDB layout (and whether liblmdb reads it the same), entry count,\n"
		"build time and a digest of the content; the parse rule it was built with; each\n"
		"source with its state (current, or stale: changed since the build) and,\n"
		"while stale, the entries no lookup finds until the rebuild (those not in\n"
		"/etc/services, which glibc's files service reads alone);\n"
		"whether the module trusts the file (a regular file, not a symbolic link,\n"
		"owned by root or by the program's effective user, not writable by group\n"
		"or others) and, if not, why; and so whether the module answers from it.\n"
		"\n"
		"  -d, --db DB   describe DB instead of the default\n"
		"  -j, --json    print a JSON object\n"
		"  -h, --help    show this help\n"
		"\n"
		"Exit status: 0 success (whatever the state), 1 DB cannot be read.\n",
		default_db_path());
}

struct source_state {
	int stale, is_dir;
	char why[512];
};

/* One source's state, by the module's own rule. */
static void source_state(const struct portdb *db, uint32_t i, struct source_state *s)
{
	struct stat st;

	const struct portdb_source *src = portdb_source(db, i);

	s->why[0] = '\0';
	s->stale = portdb_check_source(src, s->why, sizeof s->why) != 0;
	s->is_dir = stat(src->path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* While the database is stale the module answers UNAVAIL and glibc asks
 * `files`, which reads /etc/services alone: the entries of every other
 * source (the drop-in files, any other SOURCE) cannot be found. */
static int unreachable_while_stale(const struct portdb *db, uint32_t i,
				   const struct source_state *ss)
{
	const struct portdb_source *src = portdb_source(db, i);

	return !ss[i].is_dir && src->entries > 0 && strcmp(src->path, DEFAULT_SOURCE) != 0;
}

/* The digest of DB's content, in OUT (17 bytes): the checksum of its
 * seal, which holds the checksum of each block of the index (every entry
 * and the lookup table) and of the metadata (header, build time, the
 * sources' identities).  The index is verified against the seal first:
 * a damaged block makes it "damaged" instead. */
static void content_digest(struct portdb *db, char *out, size_t outlen)
{
	uint64_t sum;

	if (portdb_digest(db, &sum) != 0)
		snprintf(out, outlen, "damaged");
	else
		snprintf(out, outlen, "%016llx", (unsigned long long)sum);
}

static void print_text(const char *path, const struct portdb *db, const struct portdb_info *m,
		       const struct stat *lst, int trusted, const char *trust_why,
		       const char *when, int stale, const char *stale_why,
		       const struct source_state *ss, const char *lmdb, const char *digest)
{
	printf("database:    %s\n", path);
	printf("format:      version %u\n", m->version);
	printf("size:        %llu bytes\n", (unsigned long long)lst->st_size);
	printf("lmdb:        %s\n", lmdb);
	printf("entries:     %u (%u line%s skipped)\n", m->entries, m->skipped,
	       m->skipped == 1 ? "" : "s");
	printf("built:       %s\n", when);
	printf("digest:      %s\n", digest);
	printf("parse rule:  %s\n", m->flags & PORTDB_FLAG_OVERFLOW_DROP
					    ? "a port above 4294967295 drops the line (Debian's glibc)"
					    : "a port above 4294967295 is clamped to 65535 (upstream glibc)");
	printf("sources:     %u\n", m->nsources);
	for (uint32_t i = 0; i < m->nsources; i++) {
		const struct portdb_source *s = portdb_source(db, i);
		printf("  %-8s %s", ss[i].stale ? "stale" : "current", s->path);
		if (ss[i].is_dir)
			printf(" (drop-in directory)");
		else
			printf(" (%u entr%s)", s->entries, s->entries == 1 ? "y" : "ies");
		if (ss[i].stale)
			printf(": %s", ss[i].why);
		putchar('\n');
	}
	printf("state:       %s%s%s\n", stale ? "stale" : "current", stale ? ": " : "",
	       stale ? stale_why : "");
	for (uint32_t i = 0; stale && i < m->nsources; i++) {
		const struct portdb_source *s = portdb_source(db, i);
		if (unreachable_while_stale(db, i, ss))
			printf("unreachable: the %u entr%s of %s, until 'portdb build' runs again "
			       "(glibc's files service reads %s only)\n", s->entries,
			       s->entries == 1 ? "y" : "ies", s->path, DEFAULT_SOURCE);
	}
	if (trusted && lst->st_uid == 0)
		printf("trusted:     yes (%s)\n", trust_why);
	else
		printf("trusted:     %s%s\n", trusted ? "yes, " : "no: ", trust_why);
	if (trusted && !stale)
		printf("module:      answers from this database\n");
	else
		printf("module:      answers UNAVAIL, so glibc asks the next service (files)%s\n",
		       stale ? " until 'portdb build' runs again" : "");
}

static void print_json(const char *path, const struct portdb *db, const struct portdb_info *m,
		       const struct stat *lst, int trusted, const char *trust_why,
		       const char *when, int stale, const char *stale_why,
		       const struct source_state *ss, const char *lmdb, const char *digest)
{
	printf("{\n  \"database\": ");
	json_string(stdout, path);
	printf(",\n  \"lmdb\": ");
	json_string(stdout, lmdb);
	printf(",\n  \"format_version\": %u,\n  \"size\": %llu,\n  \"entries\": %u,\n"
	       "  \"skipped\": %u,\n  \"build_time\": %llu,\n  \"build_time_utc\": ",
	       m->version, (unsigned long long)lst->st_size, m->entries,
	       m->skipped, (unsigned long long)m->build_time);
	json_string(stdout, when);
	printf(",\n  \"digest\": \"%s\"", digest);
	printf(",\n  \"parse_rule\": \"%s\",\n  \"sources\": [",
	       m->flags & PORTDB_FLAG_OVERFLOW_DROP ? "drop" : "clamp");
	for (uint32_t i = 0; i < m->nsources; i++) {
		printf("%s\n    {\"path\": ", i ? "," : "");
		json_string(stdout, portdb_source(db, i)->path);
		printf(", \"directory\": %s, \"entries\": %u, \"state\": \"%s\"",
		       ss[i].is_dir ? "true" : "false", portdb_source(db, i)->entries,
		       ss[i].stale ? "stale" : "current");
		if (ss[i].stale) {
			printf(", \"why\": ");
			json_string(stdout, ss[i].why);
		}
		putchar('}');
	}
	printf("%s],\n  \"state\": \"%s\",\n", m->nsources ? "\n  " : "",
	       stale ? "stale" : "current");
	if (stale) {
		int first = 1;
		printf("  \"stale_why\": ");
		json_string(stdout, stale_why);
		printf(",\n  \"unreachable\": [");
		for (uint32_t i = 0; i < m->nsources; i++) {
			if (!unreachable_while_stale(db, i, ss))
				continue;
			printf("%s\n    {\"path\": ", first ? "" : ",");
			json_string(stdout, portdb_source(db, i)->path);
			printf(", \"entries\": %u}", portdb_source(db, i)->entries);
			first = 0;
		}
		printf("%s],\n", first ? "" : "\n  ");
	}
	printf("  \"owner_uid\": %u,\n  \"mode\": \"%04o\",\n  \"trusted\": %s,\n  \"trust\": ",
	       (unsigned)lst->st_uid, (unsigned)(lst->st_mode & 07777),
	       trusted ? "true" : "false");
	json_string(stdout, trust_why);
	printf(",\n  \"module_answers\": %s\n}\n", trusted && !stale ? "true" : "false");
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cmd_spec spec = {
		.name = "info", .common = OPT_DB, .shortopts = "j", .longopts = opts,
		.usage = usage, .usage_status = EXIT_FAILURE_,
	};
	struct cmd_line cl = { 0 };
	const char *path;
	char why[512] = "", trust_why[600], stale_why[512] = "", when[64] = "?", lmdb[400];
	char digest[32];
	char *target = NULL;
	struct source_state *ss = NULL;
	struct portdb_info m;
	struct portdb *db = NULL;
	struct stat lst;
	struct tm tm;
	time_t t;
	int c, rc, json = 0, trusted, stale;

	while ((c = cmd_option(&spec, &cl, argc, argv)) > 0)
		json = 1;   /* -j */
	if (c < 0)
		return cl.status;
	path = cl.db;
	if (lstat(path, &lst) < 0) {
		warnx_("%s: %s", path, strerror(errno));
		return EXIT_FAILURE_;
	}
	/* The module refuses a symbolic link; info still describes what it
	 * points to. */
	if (S_ISLNK(lst.st_mode)) {
		target = realpath(path, NULL);
		if (target == NULL || stat(target, &lst) < 0) {
			warnx_("%s: %s", path, strerror(errno));
			free(target);
			return EXIT_FAILURE_;
		}
		trusted = 0;
		snprintf(trust_why, sizeof trust_why, "%s is a symbolic link (to %s)", path, target);
	} else {
		trusted = portdb_trust(path, &lst, trust_why, sizeof trust_why) == 0;
		if (trusted && lst.st_uid == 0)
			snprintf(trust_why, sizeof trust_why, "owner root, mode %04o",
				 (unsigned)(lst.st_mode & 07777));
		else if (trusted)   /* the rule is "root or the effective uid" */
			snprintf(trust_why, sizeof trust_why,
				 "by programs running as uid %u only (owner uid %u, mode %04o)",
				 (unsigned)lst.st_uid, (unsigned)lst.st_uid,
				 (unsigned)(lst.st_mode & 07777));
	}
	rc = portdb_open(target != NULL ? target : path, PORTDB_OPEN_UNTRUSTED, &db, why,
			 sizeof why);
	if (rc != 0) {
		warnx_("%s", why[0] ? why : strerror(rc));
		free(target);
		return EXIT_FAILURE_;
	}
	portdb_info(db, &m);
	ss = calloc(m.nsources ? m.nsources : 1, sizeof *ss);
	if (ss == NULL) {
		warnx_("info: %s", strerror(ENOMEM));
		portdb_close(db);
		free(target);
		return EXIT_FAILURE_;
	}
	for (uint32_t i = 0; i < m.nsources; i++)
		source_state(db, i, &ss[i]);
	lmdb_view(target != NULL ? target : path, portdb_lmdb(db), lmdb, sizeof lmdb);
	content_digest(db, digest, sizeof digest);
	stale = portdb_check_sources(db, stale_why, sizeof stale_why) != 0;
	t = (time_t)m.build_time;
	if (gmtime_r(&t, &tm) != NULL)
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);

	if (json)
		print_json(path, db, &m, &lst, trusted, trust_why, when, stale, stale_why, ss, lmdb,
			   digest);
	else
		print_text(path, db, &m, &lst, trusted, trust_why, when, stale, stale_why, ss, lmdb,
			   digest);
	free(ss);
	portdb_close(db);
	free(target);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warnx_("info: write error");
		return EXIT_FAILURE_;
	}
	return EXIT_OK;
}
