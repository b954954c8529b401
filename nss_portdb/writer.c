/* The atomic writer. */
#include <config.h>

#include "writer.h"
#include "atomic.h"
#include "bytes.h"
#include "entry.h"
#include "index.h"
#include "keys.h"
#include "meta.h"
#include "seal.h"
#include "why.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

/* The temporary file, for the signal handler: a plain array, as it may
 * only call unlink(). */
static char tmp_path[PATH_MAX];
static volatile sig_atomic_t tmp_live;

static void on_signal(int sig)
{
	if (tmp_live)
		unlink(tmp_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

void portdb_publish_cleanup_on_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
				    SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGPIPE };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	/* Past `ulimit -f` a write then fails with EFBIG, which is
	 * reported, instead of killing the build with SIGXFSZ. */
	signal(SIGXFSZ, SIG_IGN);
}

static int put(MDB_txn *txn, MDB_dbi dbi, uint64_t key, const void *data, size_t len)
{
	unsigned char k[KEY_SIZE];
	MDB_val mk = { KEY_SIZE, k }, mv = { len, (void *)data };

	put_be64(k, key);
	return mdb_put(txn, dbi, &mk, &mv, MDB_APPEND);
}

/* The build time recorded: SOURCE_DATE_EPOCH when set (reproducible
 * builds: the same sources then give the same bytes), else now. */
static uint64_t build_time(void)
{
	const char *v = getenv("SOURCE_DATE_EPOCH");
	char *end;
	unsigned long long t;

	if (v != NULL && *v >= '0' && *v <= '9') {
		errno = 0;
		t = strtoull(v, &end, 10);
		if (errno == 0 && *end == '\0')
			return t;
	}
	return (uint64_t)time(NULL);
}

/* The header and the source records; META_SUM receives their checksum
 * as the seal records it. */
static int write_meta(MDB_txn *txn, MDB_dbi dbi, const struct entry_set *set,
		      uint64_t *meta_sum)
{
	struct portdb_meta m = {
		.version = PORTDB_FORMAT_VERSION,
		.flags = PORTDB_OVERFLOW_DROP ? PORTDB_FLAG_OVERFLOW_DROP : 0,
		.entries = set->count,
		.skipped = set->skipped,
		.build_time = build_time(),
		.nsources = set->nsources,
	};
	unsigned char header[META_HEADER_SIZE];
	struct checksum sum;
	int rc;

	meta_encode_header(&m, header);
	seal_meta_init(&sum);
	seal_meta_add(&sum, header, sizeof header);
	rc = put(txn, dbi, key_meta(META_ID_HEADER), header, sizeof header);
	for (uint32_t i = 0; rc == 0 && i < set->nsources; i++) {
		size_t n = meta_source_size(&set->sources[i]);
		unsigned char *b = malloc(n);
		if (b == NULL)
			return ENOMEM;
		meta_encode_source(&set->sources[i], b);
		seal_meta_add(&sum, b, n);
		rc = put(txn, dbi, key_meta(META_ID_SOURCE0 + i), b, n);
		free(b);
	}
	*meta_sum = checksum_final(&sum);
	return rc;
}

/* The questions an entry answers, in the order the index takes them
 * (file order within the entry): its name and each alias, with its
 * protocol and with any; then its port, likewise. */
static uint64_t question_count(uint32_t naliases)
{
	return 2 * ((uint64_t)naliases + 2);
}

struct questions {
	const struct entry_view *v;
	const char *name;   /* the next name or alias */
	uint64_t k;         /* questions given so far */
	struct query q;
};

static void questions_begin(struct questions *it, const struct entry_view *v)
{
	it->v = v;
	it->name = v->name;
	it->k = 0;
}

/* The next question in IT->q: 1, or 0 after the last. */
static int questions_next(struct questions *it)
{
	uint64_t names = 2 * ((uint64_t)it->v->naliases + 1);

	if (it->k >= names + 2)
		return 0;
	if (it->k % 2 == 1) {
		it->q.proto = NULL;
	} else if (it->k < names) {
		it->q = (struct query){ .kind = QUERY_NAME, .name = it->name,
					.len = strlen(it->name), .proto = it->v->proto };
		it->name += it->q.len + 1;
	} else {
		it->q = (struct query){ .kind = QUERY_PORT, .port_net = it->v->port_net,
					.proto = it->v->proto };
	}
	it->k++;
	return 1;
}

/* Sort A (N values) with TMP (N values) and COUNT (zeroed) as scratch: a
 * least significant digit radix sort, 16 bits a pass.  qsort's
 * comparison calls made this the third of a build's time. */
#define RADIX_BITS 16
#define RADIX_PASSES (32 / RADIX_BITS)
typedef size_t radix_counts[RADIX_PASSES][1u << RADIX_BITS];
static void sort_u32(uint32_t *a, uint32_t *tmp, size_t n, radix_counts count)
{
	const uint32_t mask = (1u << RADIX_BITS) - 1;

	for (size_t i = 0; i < n; i++)
		for (int p = 0; p < RADIX_PASSES; p++)
			count[p][a[i] >> (p * RADIX_BITS) & mask]++;
	for (int p = 0; p < RADIX_PASSES; p++) {
		size_t sum = 0;
		uint32_t *swap;

		for (size_t d = 0; d <= mask; d++) {
			size_t c = count[p][d];
			count[p][d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[p][a[i] >> (p * RADIX_BITS) & mask]++] = a[i];
		swap = a, a = tmp, tmp = swap;
	}
	/* an even number of passes leaves the result where it started */
	_Static_assert(RADIX_PASSES % 2 == 0, "the sorted values must end in A");
}

/* How many different questions the N hashes H ask: the slots the index
 * needs.  Repeated names and ports (nmap's `unknown`, a port in tcp and
 * udp) make this far fewer than the questions asked, so sizing by it
 * keeps the table and the file small.  Counted on 32-bit folds of the
 * hashes, which halves the scratch memory: two questions whose folds
 * collide count once, a few in a million, well within the table's
 * slack (index_plan). */
static int count_distinct(const uint64_t *h, uint64_t n, uint64_t *out)
{
	uint32_t *fold = malloc((n ? n : 1) * 2 * sizeof *fold);
	size_t (*count)[1u << RADIX_BITS] = calloc(RADIX_PASSES, sizeof *count);

	if (fold == NULL || count == NULL) {
		free(fold);
		free(count);
		return ENOMEM;
	}
	for (uint64_t i = 0; i < n; i++)
		fold[i] = (uint32_t)(h[i] ^ h[i] >> 32);
	sort_u32(fold, fold + n, (size_t)n, count);
	*out = 0;
	for (uint64_t i = 0; i < n; i++)
		*out += i == 0 || fold[i] != fold[i - 1];
	free(fold);
	free(count);
	return 0;
}

int portdb_index_plan(const struct entry_set *set, struct portdb_index_build *b)
{
	uint64_t total = 0, distinct, j = 0;
	int rc;

	b->hash = NULL;
	for (uint32_t seq = 0; seq < set->count; seq++)
		total += question_count(entry_naliases(set->arena + set->offsets[seq]));
	if (total > SIZE_MAX / 2 / sizeof *b->hash)
		return EFBIG;
	b->hash = malloc((total ? total : 1) * sizeof *b->hash);
	if (b->hash == NULL)
		return ENOMEM;
	/* Each record decoded and each question hashed once, here. */
	for (uint32_t seq = 0; seq < set->count; seq++) {
		size_t off = set->offsets[seq];
		struct entry_view v;
		struct questions it;

		entry_decode(set->arena + off, set->used - off, &v);
		questions_begin(&it, &v);
		while (questions_next(&it))
			b->hash[j++] = query_hash(&it.q);
	}
	assert(j == total);
	b->nquestions = total;
	rc = count_distinct(b->hash, total, &distinct);
	if (rc == 0)
		rc = index_plan(&b->plan, set->count, set->used, distinct);
	if (rc != 0)
		portdb_index_done(b);
	return rc;
}

void portdb_index_done(struct portdb_index_build *b)
{
	free(b->hash);
	b->hash = NULL;
}

/* The question being inserted: question K of the record at OFF, decoded
 * only when a slot's check matches it (a repeated question, or a
 * collision of checks). */
struct inserting {
	const struct entry_set *set;
	size_t off;
	uint64_t k;
};

static int answered_by(void *ctx, uint32_t other)
{
	const struct inserting *in = ctx;
	const struct entry_set *set = in->set;
	struct entry_view v, w;
	struct questions it;

	if (other >= set->used ||
	    entry_decode(set->arena + other, set->used - other, &w) == 0)
		return 0;
	entry_decode(set->arena + in->off, set->used - in->off, &v);
	questions_begin(&it, &v);
	while (it.k <= in->k && questions_next(&it))
		;   /* to question K, in it.q */
	return query_matches(&it.q, &w);
}

void portdb_index_fill(unsigned char *out, const struct portdb_index_build *b,
		       const struct entry_set *set)
{
	struct inserting in = { .set = set };
	uint64_t j = 0;

	index_layout(out, &b->plan, set->offsets, set->arena);
	for (uint32_t seq = 0; seq < set->count; seq++) {
		uint64_t n;

		in.off = set->offsets[seq];
		n = question_count(entry_naliases(set->arena + in.off));
		for (in.k = 0; in.k < n; in.k++)
			index_insert(out, &b->plan, b->hash[j++], (uint32_t)in.off, answered_by, &in);
	}
	assert(j == b->nquestions);
}

static int write_all(MDB_env *env, const struct entry_set *set,
		     const struct portdb_index_build *b)
{
	unsigned char k[KEY_SIZE];
	MDB_val mk = { KEY_SIZE, k }, mv = { b->plan.size, NULL };
	size_t seal_len = seal_size(b->plan.size);
	unsigned char *seal = malloc(seal_len);
	uint64_t meta_sum = 0;
	MDB_txn *txn;
	MDB_dbi dbi;
	int rc;

	if (seal == NULL)
		return ENOMEM;
	rc = mdb_txn_begin(env, NULL, 0, &txn);
	if (rc != 0) {
		free(seal);
		return rc;
	}
	rc = mdb_dbi_open(txn, NULL, 0, &dbi);
	if (rc == 0) {
		/* Built in place in the map: no copy of the largest thing. */
		put_be64(k, key_index());
		rc = mdb_put(txn, dbi, &mk, &mv, MDB_RESERVE | MDB_APPEND);
	}
	if (rc == 0) {
		portdb_index_fill(mv.mv_data, b, set);
		/* Summed now: the reserved space is ours only until the
		 * next put.  The metadata's sum is known after its puts. */
		seal_encode(seal, mv.mv_data, b->plan.size, 0);
		rc = write_meta(txn, dbi, set, &meta_sum);
	}
	if (rc == 0) {
		seal_set_meta_sum(seal, meta_sum);
		rc = put(txn, dbi, key_seal(), seal, seal_len);
	}
	free(seal);
	if (rc != 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_txn_commit(txn);
}

/* What really failed when LMDB says RC while writing the file FD: a
 * short writev (a full disk, a file size limit) comes out of LMDB as
 * EIO, so ask the file system by writing one more page past the end
 * ourselves (the file is a temporary, about to be removed). */
static int real_error(int fd, int rc)
{
	static const char page[4096];
	struct statvfs vfs;
	struct stat st;
	ssize_t n;

	if (rc != EIO || fstat(fd, &st) < 0)
		return rc;
	n = pwrite(fd, page, sizeof page, st.st_size);
	if (n < 0 && (errno == ENOSPC || errno == EFBIG || errno == EDQUOT))
		return errno;
	if (n < (ssize_t)sizeof page && fstatvfs(fd, &vfs) == 0 && vfs.f_bavail == 0)
		return ENOSPC;
	return rc;
}

/* The errno for an LMDB code RC (an errno already is one), so that
 * portdb_publish has one convention; its message keeps LMDB's words. */
static int lmdb_errno(int rc)
{
	switch (rc) {
	case MDB_MAP_FULL:
	case MDB_TXN_FULL:
	case MDB_PAGE_FULL:
	case MDB_BAD_VALSIZE:
		return EFBIG;
	case MDB_KEYEXIST:
		return EEXIST;
	case MDB_NOTFOUND:
		return ENOENT;
	default:
		return rc > 0 ? rc : EIO;
	}
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

/* Is NAME a temporary of a publish of BASE: "." BASE "." and mkstemp's
 * six letters or digits? */
static int is_temporary(const char *name, const char *base)
{
	size_t n = strlen(base);

	if (name[0] != '.' || strncmp(name + 1, base, n) != 0 || name[n + 1] != '.')
		return 0;
	name += n + 2;
	for (int i = 0; i < 6; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9')))
			return 0;
	return name[6] == '\0';
}

/* Remove the temporaries that killed publishes of BASE left in the
 * directory DIR_FD, whose lock the caller holds: every publish holds it
 * from creating its temporary to renaming it, so a temporary seen under
 * the lock belongs to no live publish.  Best effort. */
static void sweep_temporaries(int dir_fd, const char *base)
{
	int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (is_temporary(de->d_name, base) &&
		    fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && (st.st_uid == geteuid() || geteuid() == 0))
			unlinkat(dir_fd, de->d_name, 0);
	}
	closedir(d);
}

/* Lock the directory DIR_FD against other publishes.  @return 1 if
 * held, 0 if the file system has no such locks (then nothing is swept). */
static int lock_dir(int dir_fd)
{
	int rc;

	do
		rc = flock(dir_fd, LOCK_EX);
	while (rc < 0 && errno == EINTR);
	return rc == 0;
}

int portdb_publish(const struct entry_set *set, const char *target,
		   char *err, size_t errlen)
{
	char dir[PATH_MAX], base[PATH_MAX];
	struct portdb_index_build index = { .hash = NULL };
	size_t mapsize;
	MDB_env *env = NULL;
	int out_fd = -1, dir_fd = -1, rc;

	rc = split_path(target, dir, base);
	if (rc != 0)
		return why_fail(err, errlen, rc, "%s: %s", target, strerror(rc));

	rc = portdb_index_plan(set, &index);
	if (rc != 0)
		return why_fail(err, errlen, rc, "%s: %s", target,
			    rc == ENOMEM ? strerror(rc) : "too many entries for one database");

	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0) {
		rc = why_fail(err, errlen, errno, "%s: %s", dir, strerror(errno));
		portdb_index_done(&index);
		return rc;
	}
	/* A build killed by a signal it cannot catch (SIGKILL) leaves its
	 * temporary; the next build removes it, under the lock that tells
	 * a dead build's from a live one's. */
	if (lock_dir(dir_fd))
		sweep_temporaries(dir_fd, base);

	/* The temporary lives in the target's directory, so that rename()
	 * is atomic. */
	snprintf(tmp_path, sizeof tmp_path, "%s/.%s.XXXXXX", dir, base);
	out_fd = mkostemp(tmp_path, O_CLOEXEC);
	if (out_fd < 0) {
		rc = why_fail(err, errlen, errno, "%s: cannot create a file there: %s",
			  dir, strerror(errno));
		goto out;
	}
	tmp_live = 1;

	/* One write transaction into a fresh environment: its pages are
	 * written once, in order, with no free page between them, so the
	 * file is as compact as mdb_env_copy would make it.  Without
	 * MDB_WRITEMAP the file grows only as far as the pages written;
	 * the map size is an upper bound and costs nothing. */
	mapsize = index.plan.size + index.plan.size / 8 + (16u << 20);
	rc = mdb_env_create(&env);
	if (rc == 0)
		rc = mdb_env_set_mapsize(env, mapsize);
	if (rc == 0)
		rc = mdb_env_open(env, tmp_path, MDB_NOSUBDIR | MDB_NOLOCK | MDB_NOSYNC, 0600);
	if (rc == 0)
		rc = write_all(env, set, &index);
	if (env != NULL)
		mdb_env_close(env);
	env = NULL;
	if (rc != 0) {
		rc = real_error(out_fd, rc);
		rc = why_fail(err, errlen, lmdb_errno(rc), "writing %s: %s", tmp_path,
			      mdb_strerror(rc));
		goto out;
	}
	if (fchmod(out_fd, 0644) < 0) {
		rc = why_fail(err, errlen, errno, "%s: %s", tmp_path, strerror(errno));
		goto out;
	}
	rc = atomic_install(&out_fd, tmp_path, target, dir, dir_fd, err, errlen);
	if (rc == 0 || rc == ATOMIC_NOT_DURABLE)
		tmp_live = 0;
out:
	portdb_index_done(&index);
	if (env != NULL)
		mdb_env_close(env);
	if (out_fd >= 0)
		close(out_fd);
	if (dir_fd >= 0)
		close(dir_fd);
	if (tmp_live)
		unlink(tmp_path);
	tmp_live = 0;
	return rc;
}
