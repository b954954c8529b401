/* The atomic writer. */
#include <config.h>

#include "writer.h"
#include "bytes.h"
#include "entry.h"
#include "keys.h"
#include "meta.h"

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

/* One (index key, entry) pair; `str` says which of the entry's strings
 * made the key (0 the name, 1.. the aliases) for name keys. */
struct pair {
	uint64_t key;
	uint32_t seq;
	uint32_t str;
};

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

static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return x->str < y->str ? -1 : x->str > y->str;
}

static const char *nth_string(const struct entry_view *v, uint32_t n)
{
	const char *p = v->name;

	while (n-- > 0)
		p += strlen(p) + 1;
	return p;
}

static struct entry_view view_of(const struct entry_set *set, uint32_t seq)
{
	struct entry_view v;

	entry_decode(set->arena + set->offsets[seq], set->used - set->offsets[seq], &v);
	return v;
}

/* Do pairs A and B stand for the same full key (not just the same hash)? */
static int same_full_key(const struct entry_set *set, const struct pair *a,
			 const struct pair *b)
{
	struct entry_view x = view_of(set, a->seq), y = view_of(set, b->seq);
	int tag = (int)(a->key >> 56);

	switch (tag) {
	case KEY_NAME_PROTO:
		if (strcmp(x.proto, y.proto) != 0)
			return 0;
		/* fall through */
	case KEY_NAME:
		return strcmp(nth_string(&x, a->str), nth_string(&y, b->str)) == 0;
	case KEY_PORT_PROTO:
		if (strcmp(x.proto, y.proto) != 0)
			return 0;
		/* fall through */
	default:
		return x.port_net == y.port_net;
	}
}

static int make_pairs(const struct entry_set *set, struct pair **out, size_t *count)
{
	size_t n = 0, cap = (size_t)set->count * 6 + 16;
	struct pair *p = malloc(cap * sizeof *p);

	if (p == NULL)
		return ENOMEM;
	for (uint32_t seq = 0; seq < set->count; seq++) {
		struct entry_view v = view_of(set, seq);
		const char *s = v.name;

		if (n + 2 * ((size_t)v.naliases + 1) + 2 > cap) {
			struct pair *q;
			cap = (cap + 2 * ((size_t)v.naliases + 1) + 2) * 2;
			q = realloc(p, cap * sizeof *p);
			if (q == NULL) {
				free(p);
				return ENOMEM;
			}
			p = q;
		}
		for (uint32_t i = 0; i <= v.naliases; i++) {
			size_t len = strlen(s);
			p[n++] = (struct pair){ key_name(s, len, v.proto), seq, i };
			p[n++] = (struct pair){ key_name(s, len, NULL), seq, i };
			s += len + 1;
		}
		p[n++] = (struct pair){ key_port(v.port_net, v.proto), seq, 0 };
		p[n++] = (struct pair){ key_port(v.port_net, NULL), seq, 0 };
	}
	qsort(p, n, sizeof *p, pair_cmp);
	*out = p;
	*count = n;
	return 0;
}

static int put(MDB_txn *txn, MDB_dbi dbi, uint64_t key, const void *data, size_t len)
{
	unsigned char k[KEY_SIZE];
	MDB_val mk = { KEY_SIZE, k }, mv = { len, (void *)data };

	put_be64(k, key);
	return mdb_put(txn, dbi, &mk, &mv, MDB_APPEND);
}

/* Write the pairs of one key, [from, to), as one value.  A pair is kept
 * when it is the first (in file order) of its full key; the value holds
 * the records of the kept pairs, each once, in file order.  A reader that
 * takes the first record matching its query then gets what a scan of the
 * text would: an earlier record matching the same full key would have
 * been kept instead.  Usually the group is one key: one record. */
static int put_group(MDB_txn *txn, MDB_dbi dbi, const struct entry_set *set,
		     const struct pair *from, const struct pair *to,
		     struct pair *firsts, unsigned char **buf, size_t *bufcap)
{
	size_t len = 0, nfirsts = 0;
	uint32_t last_seq = UINT32_MAX;

	for (const struct pair *p = from; p < to; p++) {
		const unsigned char *rec = set->arena + set->offsets[p->seq];
		struct entry_view v;
		size_t n, i;

		for (i = 0; i < nfirsts; i++)
			if (same_full_key(set, &firsts[i], p))
				break;
		if (i < nfirsts)
			continue;
		firsts[nfirsts++] = *p;
		if (p->seq == last_seq)
			continue;
		last_seq = p->seq;
		n = entry_decode(rec, set->used - set->offsets[p->seq], &v);
		if (len + n > *bufcap) {
			unsigned char *b = realloc(*buf, (len + n) * 2);
			if (b == NULL)
				return ENOMEM;
			*buf = b;
			*bufcap = (len + n) * 2;
		}
		memcpy(*buf + len, rec, n);
		len += n;
	}
	return put(txn, dbi, from->key, *buf, len);
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

static int write_all(MDB_env *env, const struct entry_set *set,
		     const struct pair *pairs, size_t npairs)
{
	MDB_txn *txn;
	MDB_dbi dbi;
	unsigned char *buf = NULL;
	struct pair *firsts = NULL;
	size_t bufcap = 0, firsts_cap = 0;
	int rc;

	rc = mdb_txn_begin(env, NULL, 0, &txn);
	if (rc != 0)
		return rc;
	rc = mdb_dbi_open(txn, NULL, 0, &dbi);
	for (uint32_t seq = 0; rc == 0 && seq < set->count; seq++) {
		size_t end = seq + 1 < set->count ? set->offsets[seq + 1] : set->used;
		rc = put(txn, dbi, key_entry(seq), set->arena + set->offsets[seq],
			 end - set->offsets[seq]);
	}
	if (rc == 0)
		rc = write_meta(txn, dbi, set);
	for (size_t i = 0; rc == 0 && i < npairs;) {
		size_t j = i + 1;
		while (j < npairs && pairs[j].key == pairs[i].key)
			j++;
		if (j - i > firsts_cap) {
			struct pair *f = realloc(firsts, (j - i) * sizeof *f);
			if (f == NULL) {
				rc = ENOMEM;
				break;
			}
			firsts = f;
			firsts_cap = j - i;
		}
		rc = put_group(txn, dbi, set, &pairs[i], &pairs[j], firsts, &buf, &bufcap);
		i = j;
	}
	free(firsts);
	free(buf);
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
	struct pair *pairs = NULL;
	size_t npairs = 0, mapsize;
	MDB_env *env = NULL;
	int scratch_fd = -1, out_fd = -1, dir_fd = -1, rc;

	rc = split_path(target, dir, base);
	if (rc != 0)
		return fail(err, errlen, rc, "%s: %s", target, strerror(rc));

	rc = make_pairs(set, &pairs, &npairs);
	if (rc != 0)
		return fail(err, errlen, rc, "indexing: %s", strerror(rc));

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

	/* Room for every record five times over plus B-tree overhead; the
	 * scratch file is sparse, so an over-estimate costs nothing. */
	mapsize = (set->used + (size_t)set->count * 64) * 8 + npairs * 64 + (64u << 20);
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
	rc = write_all(env, set, pairs, npairs);
	if (rc != 0) {
		rc = fail(err, errlen, rc, "writing %s: %s", tmp_paths[0], describe(rc));
		goto out;
	}
	rc = mdb_env_copyfd2(env, out_fd, MDB_CP_COMPACT);
	if (rc != 0) {
		rc = fail(err, errlen, rc, "writing %s: %s", tmp_paths[1], describe(rc));
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
	free(pairs);
	return rc;
}
