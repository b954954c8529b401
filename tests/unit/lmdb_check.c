/* Helpers of test_lmdb_reader (lmdb_check.h). */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lmdb_check.h"

char check_dir[256];

void check_path(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", check_dir, name);
}

/* ------------------------------------------------------------ listings */

static void listing_add(struct listing *l, const unsigned char *key, size_t klen,
			const unsigned char *val, size_t vlen, int get_agrees)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->p = realloc(l->p, l->cap * sizeof *l->p);
		assert_non_null(l->p);
	}
	l->p[l->n++] = (struct pair){ key, val, klen, vlen, get_agrees };
}

void listing_free(struct listing *l)
{
	free(l->p);
	if (l->map != NULL)
		munmap(l->map, l->maplen);
	memset(l, 0, sizeof *l);
}

static void put_u64(FILE *f, uint64_t v)
{
	fwrite(&v, sizeof v, 1, f);
}

/* In the child: liblmdb's view of PATH, written to OUT as records
 * (key length, value length, get agrees, key, value), then a terminator
 * (UINT64_MAX), liblmdb's status, the tree's depth and its entries. */
static void liblmdb_dump(const char *path, FILE *out)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_cursor *c = NULL;
	MDB_dbi dbi;
	MDB_stat st = { 0 };
	MDB_val k, v, g;
	MDB_cursor_op op = MDB_FIRST;
	int rc;

	rc = mdb_env_create(&env);
	if (rc == 0)
		rc = mdb_env_open(env, path, MDB_RDONLY | MDB_NOLOCK | MDB_NOSUBDIR, 0);
	if (rc == 0)
		rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
	if (rc == 0)
		rc = mdb_dbi_open(txn, NULL, 0, &dbi);
	if (rc == 0)
		rc = mdb_stat(txn, dbi, &st);
	if (rc == 0)
		rc = mdb_cursor_open(txn, dbi, &c);
	while (rc == 0 && (rc = mdb_cursor_get(c, &k, &v, op)) == 0) {
		MDB_val key = k;
		unsigned char agrees =
			mdb_get(txn, dbi, &key, &g) == 0 && g.mv_size == v.mv_size &&
			memcmp(g.mv_data, v.mv_data, v.mv_size) == 0;

		put_u64(out, k.mv_size);
		put_u64(out, v.mv_size);
		fwrite(&agrees, 1, 1, out);
		fwrite(k.mv_data, 1, k.mv_size, out);
		fwrite(v.mv_data, 1, v.mv_size, out);
		op = MDB_NEXT;
	}
	put_u64(out, UINT64_MAX);
	put_u64(out, (uint64_t)(int64_t)(rc == MDB_NOTFOUND ? 0 : rc));
	put_u64(out, st.ms_depth);
	put_u64(out, st.ms_entries);
}

/* liblmdb's listing of PATH, made in a child: a file that crashes
 * liblmdb (or keeps it busy for 20 s) crashes only the child.
 * @return 0, or -1 if the child did not finish. */
int liblmdb_list(const char *path, struct listing *out)
{
	char tmp[300];
	const unsigned char *p, *end;
	struct stat st;
	uint64_t rc;
	int status, fd;
	pid_t pid;

	memset(out, 0, sizeof *out);
	check_path(tmp, sizeof tmp, "liblmdb.out");
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGSYS };
		FILE *f = fopen(tmp, "we");

		/* die of the signal, not in cmocka's handler, which would go on
		 * with the tests in the child */
		for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
			signal(sigs[i], SIG_DFL);
		alarm(20);
		if (f == NULL)
			_exit(2);
		liblmdb_dump(path, f);
		_exit(fclose(f) == 0 ? 0 : 2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status))
		return -1;
	assert_int_equal(WEXITSTATUS(status), 0);
	fd = open(tmp, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	out->maplen = (size_t)st.st_size;
	out->map = mmap(NULL, out->maplen, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(out->map != MAP_FAILED);
	close(fd);
	unlink(tmp);
	p = out->map;
	end = p + out->maplen;
	for (;;) {
		uint64_t klen, vlen;

		assert_true(end - p >= 8);
		memcpy(&klen, p, 8);
		p += 8;
		if (klen == UINT64_MAX)
			break;
		memcpy(&vlen, p, 8);
		assert_true((size_t)(end - p) >= 9 + klen + vlen);
		listing_add(out, p + 9, klen, p + 9 + klen, vlen, p[8]);
		p += 9 + klen + vlen;
	}
	assert_int_equal(end - p, 24);
	memcpy(&rc, p, 8);
	out->rc = (int)(int64_t)rc;
	memcpy(&out->depth, p + 8, 8);
	memcpy(&out->entries, p + 16, 8);
	return 0;
}

static int collect(void *ctx, const unsigned char *key, size_t klen, const unsigned char *data,
		   size_t len)
{
	listing_add(ctx, key, klen, data, len, 1);
	return 0;
}

/* The reader's walk of R into OUT.  @return the walk's status. */
int reader_list(const struct lmdb_reader *r, struct listing *out)
{
	memset(out, 0, sizeof *out);
	return lmdb_reader_walk(r, collect, out);
}

int same_bytes(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

void assert_same_listing(const struct listing *want, const struct listing *got)
{
	if (want->n != got->n)
		fail_msg("%zu keys expected, %zu walked", want->n, got->n);
	for (size_t i = 0; i < want->n; i++) {
		if (!same_bytes(want->p[i].key, want->p[i].klen, got->p[i].key, got->p[i].klen))
			fail_msg("key %zu differs", i);
		if (!same_bytes(want->p[i].val, want->p[i].vlen, got->p[i].val, got->p[i].vlen))
			fail_msg("value %zu (%zu bytes expected, %zu read) differs", i,
				 want->p[i].vlen, got->p[i].vlen);
	}
}

/* LMDB's default order: bytes, then length. */
static int key_cmp(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c != 0 ? c : (alen > blen) - (alen < blen);
}

static int listed(const struct listing *l, const unsigned char *key, size_t klen)
{
	for (size_t i = 0; i < l->n; i++)
		if (key_cmp(l->p[i].key, l->p[i].klen, key, klen) == 0)
			return 1;
	return 0;
}

/* Call FN with keys that L does not hold, around and between the ones
 * it holds: each key's last byte plus one, the key without its last
 * byte, the key with a NUL after it, and a few fixed ones. */
static void for_each_absent_key(const struct listing *l,
				void (*fn)(const unsigned char *key, size_t klen, void *ctx),
				void *ctx)
{
	static const struct {
		const char *key;
		size_t len;
	} fixed[] = { { "", 0 }, { "\0", 1 }, { "A", 1 }, { "N", 1 }, { "R", 1 }, { "T", 1 },
		      { "\xff\xff\xff\xff\xff\xff\xff\xff\xff", 9 } };
	unsigned char k[600];

	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		const unsigned char *key = (const unsigned char *)fixed[i].key;

		if (!listed(l, key, fixed[i].len))
			fn(key, fixed[i].len, ctx);
	}
	for (size_t i = 0; i < l->n && i < 4000; i++) {
		size_t n = l->p[i].klen;

		if (n == 0 || n >= sizeof k)
			continue;
		memcpy(k, l->p[i].key, n);
		if (k[n - 1] < 0xff) {
			k[n - 1]++;
			if (!listed(l, k, n))
				fn(k, n, ctx);
			k[n - 1]--;
		}
		if (!listed(l, k, n - 1))
			fn(k, n - 1, ctx);
		k[n] = 0;
		if (!listed(l, k, n + 1))
			fn(k, n + 1, ctx);
	}
}

struct absent {
	const struct lmdb_reader *r;
	int strict;   /* ENOENT only; else EBADMSG is allowed too */
	unsigned tried;
};

static void expect_absent(const unsigned char *key, size_t klen, void *ctx)
{
	struct absent *a = ctx;
	const unsigned char *v;
	size_t n;
	int rc = lmdb_reader_get(a->r, key, klen, &v, &n);

	if (rc != ENOENT && (a->strict || rc != EBADMSG))
		fail_msg("a key of %zu bytes that is not there: %d, not ENOENT", klen, rc);
	a->tried++;
}

/* R reads exactly what WANT (liblmdb's listing) holds. */
void assert_reader_matches(const struct lmdb_reader *r, const struct listing *want)
{
	struct listing got;

	assert_int_equal(want->rc, 0);
	assert_int_equal(reader_list(r, &got), 0);
	assert_same_listing(want, &got);
	listing_free(&got);
	for (size_t i = 0; i < want->n; i++) {
		const unsigned char *v;
		size_t n;

		assert_int_equal(lmdb_reader_get(r, want->p[i].key, want->p[i].klen, &v, &n), 0);
		if (!same_bytes(want->p[i].val, want->p[i].vlen, v, n))
			fail_msg("lmdb_reader_get: value %zu differs", i);
	}
	assert_true(check_absent_keys(r, want, 1) > 0);
}

unsigned check_absent_keys(const struct lmdb_reader *r, const struct listing *want, int strict)
{
	struct absent a = { r, strict, 0 };

	for_each_absent_key(want, expect_absent, &a);
	return a.tried;
}

/* ------------------------------------------------------------- buffers */

/* As far as a 16-bit offset from a page's start reaches past its end. */
#define GUARD (128u << 10)

unsigned char *guarded_copy(struct guarded *g, const void *src, size_t size)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), room = (size + pg - 1) / pg * pg;

	g->total = room + GUARD;
	g->base = mmap(NULL, g->total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(g->base != MAP_FAILED);
	assert_int_equal(mprotect(g->base + room, GUARD, PROT_NONE), 0);
	g->data = g->base + room - size;
	g->size = size;
	if (size > 0)
		memcpy(g->data, src, size);
	return g->data;
}

void guarded_free(struct guarded *g)
{
	munmap(g->base, g->total);
}

struct file map_file(const char *path)
{
	struct file f;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(fstat(fd, &st), 0);
	f.size = (size_t)st.st_size;
	f.data = mmap(NULL, f.size ? f.size : 1, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(f.data != MAP_FAILED);
	close(fd);
	return f;
}

void unmap_file(struct file *f)
{
	munmap(f->data, f->size ? f->size : 1);
}

void write_file(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, size), (ssize_t)size);
	assert_int_equal(fchmod(fd, 0644), 0);
	close(fd);
}

/* ---------------------------------------------------------- the layout */

size_t meta_db(const struct lmdb_reader *r, int i)
{
	/* after the page header: magic, version, address, map size */
	return r->hdr + 8 + 2 * r->word + (size_t)i * (8 + 5 * r->word);
}

void put_int(const struct lmdb_reader *r, unsigned char *p, unsigned n, uint64_t v)
{
	for (unsigned i = 0; i < n; i++)
		p[r->big_endian ? n - 1 - i : i] = (unsigned char)(v >> 8 * i);
}

uint64_t get_int(const struct lmdb_reader *r, const unsigned char *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[r->big_endian ? n - 1 - i : i] << 8 * i;
	return v;
}

void for_each_page(const struct lmdb_reader *r, unsigned char *f, page_fn *fn, void *ctx)
{
	for (uint64_t pg = 2; pg <= r->last;) {
		unsigned char *p = f + pg * r->psize;
		unsigned flags = (unsigned)get_int(r, p + r->word + 2, 2);
		uint64_t pages = flags == PAGE_OVERFLOW ? get_int(r, p + r->word + 4, 4) : 1;

		if (flags == 0 && get_int(r, p, r->word) == 0) {
			pg++;   /* never written */
			continue;
		}
		if (flags != PAGE_BRANCH && flags != PAGE_LEAF && flags != PAGE_OVERFLOW)
			fail_msg("page %llu has flags %#x", (unsigned long long)pg, flags);
		assert_true(pages >= 1);
		fn(ctx, p, pg, flags);
		pg += pages;
	}
}
