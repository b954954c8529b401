/* The atomic writer. */
#include <config.h>

#include "writer.h"
#include "bytes.h"
#include "entry.h"
#include "index.h"
#include "keys.h"
#include "meta.h"
#include "trailer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <lmdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Temporary paths, for the signal handler: plain arrays, as it may only
 * call unlink(). */
static char tmp_paths[2][PATH_MAX];
static volatile sig_atomic_t tmp_live[2];

static void on_signal(int sig)
{
	for (int i = 0; i < 2; i++)
		if (tmp_live[i])
			unlink(tmp_paths[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

void portdb_publish_cleanup_on_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

static int put(MDB_txn *txn, MDB_dbi dbi, uint64_t key, const void *data, size_t len)
{
	unsigned char k[KEY_SIZE];
	MDB_val mk = { KEY_SIZE, k }, mv = { len, (void *)data };

	put_be64(k, key);
	return mdb_put(txn, dbi, &mk, &mv, MDB_APPEND);
}

static int write_meta(MDB_txn *txn, MDB_dbi dbi, const struct entry_set *set)
{
	struct portdb_meta m = {
		.version = PORTDB_FORMAT_VERSION,
		.flags = PORTDB_OVERFLOW_DROP ? PORTDB_FLAG_OVERFLOW_DROP : 0,
		.entries = set->count,
		.skipped = set->skipped,
		.build_time = (uint64_t)time(NULL),
		.nsources = set->nsources,
	};
	unsigned char header[META_HEADER_SIZE];
	int rc;

	meta_encode_header(&m, header);
	rc = put(txn, dbi, key_meta(META_ID_HEADER), header, sizeof header);
	for (uint32_t i = 0; rc == 0 && i < set->nsources; i++) {
		size_t n = meta_source_size(&set->sources[i]);
		unsigned char *b = malloc(n);
		if (b == NULL)
			return ENOMEM;
		meta_encode_source(&set->sources[i], b);
		rc = put(txn, dbi, key_meta(META_ID_SOURCE0 + i), b, n);
		free(b);
	}
	return rc;
}

/* Call FN for every question each entry answers, in file order: its name
 * and each alias, with its protocol and with any; its port, likewise. */
typedef void question_fn(const struct query *q, uint32_t record_offset, void *ctx);

static void for_each_question(const struct entry_set *set, question_fn *fn, void *ctx)
{
	for (uint32_t seq = 0; seq < set->count; seq++) {
		uint32_t off = (uint32_t)set->offsets[seq];
		struct entry_view v;
		struct query q = { .kind = QUERY_NAME };
		const char *s;

		entry_decode(set->arena + off, set->used - off, &v);
		s = v.name;
		for (uint32_t i = 0; i <= v.naliases; i++) {
			q.name = s;
			q.len = strlen(s);
			q.proto = v.proto;
			fn(&q, off, ctx);
			q.proto = NULL;
			fn(&q, off, ctx);
			s += q.len + 1;
		}
		q.kind = QUERY_PORT;
		q.port_net = v.port_net;
		q.proto = v.proto;
		fn(&q, off, ctx);
		q.proto = NULL;
		fn(&q, off, ctx);
	}
}

struct hashes {
	uint64_t *h;
	size_t n;
};

static void collect_hash(const struct query *q, uint32_t off, void *ctx)
{
	struct hashes *hs = ctx;

	hs->h[hs->n++] = query_hash(q);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void count_one(const struct query *q, uint32_t off, void *ctx)
{
	++*(uint64_t *)ctx;
}

/* How many different questions the entries answer: the slots the index
 * needs.  Repeated names and ports (nmap's `unknown`, a port in tcp and
 * udp) make this far fewer than the questions asked, so sizing by it
 * keeps the table, the file and the checksum at open small. */
static int count_distinct_questions(const struct entry_set *set, uint64_t *out)
{
	uint64_t total = 0;
	struct hashes hs = { NULL, 0 };

	for_each_question(set, count_one, &total);
	if (total > SIZE_MAX / sizeof *hs.h)
		return EFBIG;
	hs.h = malloc((total ? total : 1) * sizeof *hs.h);
	if (hs.h == NULL)
		return ENOMEM;
	for_each_question(set, collect_hash, &hs);
	qsort(hs.h, hs.n, sizeof *hs.h, cmp_u64);
	*out = 0;
	for (size_t i = 0; i < hs.n; i++)
		*out += i == 0 || hs.h[i] != hs.h[i - 1];
	free(hs.h);
	return 0;
}

struct insert_ctx {
	unsigned char *index;
	const struct index_plan *plan;
};

static void insert_one(const struct query *q, uint32_t off, void *ctx)
{
	const struct insert_ctx *ic = ctx;

	index_insert(ic->index, ic->plan, q, off);
}

static int write_all(MDB_env *env, const struct entry_set *set, const struct index_plan *plan)
{
	unsigned char k[KEY_SIZE];
	MDB_val mk = { KEY_SIZE, k }, mv = { plan->size, NULL };
	MDB_txn *txn;
	MDB_dbi dbi;
	int rc;

	rc = mdb_txn_begin(env, NULL, 0, &txn);
	if (rc != 0)
		return rc;
	rc = mdb_dbi_open(txn, NULL, 0, &dbi);
	if (rc == 0) {
		/* Built in place in the map: no copy of the largest thing. */
		put_be64(k, key_index());
		rc = mdb_put(txn, dbi, &mk, &mv, MDB_RESERVE | MDB_APPEND);
	}
	if (rc == 0) {
		struct insert_ctx ic = { mv.mv_data, plan };
		index_layout(mv.mv_data, plan, set->offsets, set->arena);
		for_each_question(set, insert_one, &ic);
		rc = write_meta(txn, dbi, set);
	}
	if (rc != 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_txn_commit(txn);
}

static const char *describe(int rc)
{
	return rc < 0 || rc >= MDB_KEYEXIST ? mdb_strerror(rc) : strerror(rc);
}

/* Split TARGET into its directory and file name ("db" -> "." and "db"). */
static int split_path(const char *target, char dir[PATH_MAX], char base[PATH_MAX])
{
	const char *slash = strrchr(target, '/');
	size_t n = strlen(target);

	if (n + 32 >= PATH_MAX)
		return ENAMETOOLONG;
	if (n == 0 || target[n - 1] == '/')
		return EISDIR;
	if (slash == NULL) {
		strcpy(dir, ".");
		strcpy(base, target);
	} else {
		size_t d = (size_t)(slash - target);
		memcpy(dir, target, d ? d : 1);   /* "/db" lives in "/" */
		dir[d ? d : 1] = '\0';
		strcpy(base, slash + 1);
	}
	return 0;
}

int portdb_publish(const struct entry_set *set, const char *target,
		   char *err, size_t errlen)
{
	char dir[PATH_MAX], base[PATH_MAX];
	struct index_plan plan;
	uint64_t questions;
	size_t mapsize;
	off_t out_len;
	MDB_env *env = NULL;
	int scratch_fd = -1, out_fd = -1, dir_fd = -1, rc;

	rc = split_path(target, dir, base);
	if (rc != 0)
		return fail(err, errlen, rc, "%s: %s", target, strerror(rc));

	rc = count_distinct_questions(set, &questions);
	if (rc == 0)
		rc = index_plan(&plan, set->count, set->used, questions);
	if (rc != 0)
		return fail(err, errlen, rc, "%s: %s", target,
			    rc == ENOMEM ? strerror(rc) : "too many entries for one database");

	/* Both temporaries live in the target's directory: the final one so
	 * that rename() is atomic, the scratch one so that a small /tmp
	 * cannot fail a large build. */
	snprintf(tmp_paths[0], sizeof tmp_paths[0], "%s/.%s.build.XXXXXX", dir, base);
	snprintf(tmp_paths[1], sizeof tmp_paths[1], "%s/.%s.XXXXXX", dir, base);
	scratch_fd = mkostemp(tmp_paths[0], O_CLOEXEC);
	if (scratch_fd < 0) {
		rc = fail(err, errlen, errno, "%s: cannot create a file there: %s",
			  dir, strerror(errno));
		goto out;
	}
	tmp_live[0] = 1;
	out_fd = mkostemp(tmp_paths[1], O_CLOEXEC);
	if (out_fd < 0) {
		rc = fail(err, errlen, errno, "%s: cannot create a file there: %s",
			  dir, strerror(errno));
		goto out;
	}
	tmp_live[1] = 1;

	/* The index, its overflow pages, the metadata; the scratch file is
	 * sparse, so an over-estimate costs nothing. */
	mapsize = plan.size + plan.size / 8 + (16u << 20);
	rc = mdb_env_create(&env);
	if (rc == 0)
		rc = mdb_env_set_mapsize(env, mapsize);
	if (rc == 0)
		rc = mdb_env_open(env, tmp_paths[0],
				  MDB_NOSUBDIR | MDB_NOLOCK | MDB_NOSYNC | MDB_WRITEMAP, 0600);
	if (rc != 0) {
		rc = fail(err, errlen, rc, "%s: %s", tmp_paths[0], describe(rc));
		goto out;
	}
	rc = write_all(env, set, &plan);
	if (rc != 0) {
		rc = fail(err, errlen, rc, "writing %s: %s", tmp_paths[0], describe(rc));
		goto out;
	}
	rc = mdb_env_copyfd2(env, out_fd, MDB_CP_COMPACT);
	if (rc != 0) {
		rc = fail(err, errlen, rc, "writing %s: %s", tmp_paths[1], describe(rc));
		goto out;
	}
	out_len = lseek(out_fd, 0, SEEK_END);
	rc = out_len < 0 ? errno : trailer_append(out_fd, (uint64_t)out_len);
	if (rc != 0) {
		rc = fail(err, errlen, rc, "writing %s: %s", tmp_paths[1], strerror(rc));
		goto out;
	}
	if (fchmod(out_fd, 0644) < 0 || fsync(out_fd) < 0) {
		rc = fail(err, errlen, errno, "%s: %s", tmp_paths[1], strerror(errno));
		goto out;
	}
	if (close(out_fd) < 0) {
		out_fd = -1;
		rc = fail(err, errlen, errno, "%s: %s", tmp_paths[1], strerror(errno));
		goto out;
	}
	out_fd = -1;
	if (rename(tmp_paths[1], target) < 0) {
		rc = fail(err, errlen, errno, "%s: cannot replace it: %s", target, strerror(errno));
		goto out;
	}
	tmp_live[1] = 0;
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0 || fsync(dir_fd) < 0) {
		/* The new file is in place; only its durability is in doubt. */
		rc = fail(err, errlen, errno, "%s: fsync: %s", dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (env != NULL)
		mdb_env_close(env);
	if (scratch_fd >= 0)
		close(scratch_fd);
	if (out_fd >= 0)
		close(out_fd);
	if (dir_fd >= 0)
		close(dir_fd);
	for (int i = 0; i < 2; i++) {
		if (tmp_live[i])
			unlink(tmp_paths[i]);
		tmp_live[i] = 0;
	}
	return rc;
}
