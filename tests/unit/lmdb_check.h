/* Helpers of test_lmdb_reader: a database's keys and values as liblmdb
 * lists them and as the reader walks them; copies of files that end at an
 * inaccessible page; the places in LMDB's layout that a forgery changes.
 * Include after cmocka.h. */
#ifndef PORTDB_TEST_LMDB_CHECK_H
#define PORTDB_TEST_LMDB_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "lmdb_reader.h"

/* The test's temporary directory, made by its setup. */
extern char check_dir[256];

/* DIR/NAME into OUT. */
void check_path(char *out, size_t len, const char *name);

/* ------------------------------------------------------------ listings */

/* A database's keys and values in key order, viewing memory that the
 * listing's owner keeps mapped. */
struct pair {
	const unsigned char *key, *val;
	size_t klen, vlen;
	int get_agrees;   /* liblmdb's mdb_get gives this same value */
};

struct listing {
	struct pair *p;
	size_t n, cap;
	int rc;            /* liblmdb: 0, or the error that stopped it */
	uint64_t depth, entries;
	void *map;         /* liblmdb: its child's output, which P views */
	size_t maplen;
};

void listing_free(struct listing *l);

/* liblmdb's listing of the file at PATH (MDB_RDONLY | MDB_NOLOCK |
 * MDB_NOSUBDIR, a cursor over the main database), made in a child
 * process: a file that crashes liblmdb, or keeps it busy for 20 s,
 * crashes only the child.  @return 0, or -1 if the child did not finish. */
int liblmdb_list(const char *path, struct listing *out);

/* The reader's walk of R into OUT, which views R's map.
 * @return what lmdb_reader_walk returned. */
int reader_list(const struct lmdb_reader *r, struct listing *out);

int same_bytes(const void *a, size_t alen, const void *b, size_t blen);

/* The same keys and values, in the same order. */
void assert_same_listing(const struct listing *want, const struct listing *got);

/* R reads exactly what WANT holds: its walk, lmdb_reader_get of every
 * key, and ENOENT for keys around and between them that are not there. */
void assert_reader_matches(const struct lmdb_reader *r, const struct listing *want);

/* Each key around and between WANT's that is not there is ENOENT in R,
 * or EBADMSG too unless STRICT.  @return how many were tried. */
unsigned check_absent_keys(const struct lmdb_reader *r, const struct listing *want, int strict);

/* ---------------------------------------------------------------- files */

/* A copy of some bytes that ends where 128 KiB of inaccessible pages
 * begin: a read past the end (by as much as a 16-bit offset reaches) is a
 * SIGSEGV, with or without a sanitizer. */
struct guarded {
	unsigned char *base, *data;
	size_t total, size;
};

unsigned char *guarded_copy(struct guarded *g, const void *src, size_t size);
void guarded_free(struct guarded *g);

/* A file mapped read-only, whole. */
struct file {
	unsigned char *data;
	size_t size;
};

struct file map_file(const char *path);
void unmap_file(struct file *f);
/* Write SIZE bytes at DATA to PATH, mode 0644. */
void write_file(const char *path, const void *data, size_t size);

/* ---------------------------------------------------------- the layout */

/* Offsets in a meta page of R's layout (lmdb_reader.c): the page size,
 * the main database's root, the last page, the transaction id. */
size_t meta_db(const struct lmdb_reader *r, int i);
#define META_PSIZE(r) meta_db(r, 0)
#define META_ROOT(r) (meta_db(r, 1) + 8 + 4 * (r)->word)
#define META_LAST(r) meta_db(r, 2)
#define META_TXNID(r) (META_LAST(r) + (r)->word)

/* An integer of N bytes at P, in R's byte order. */
void put_int(const struct lmdb_reader *r, unsigned char *p, unsigned n, uint64_t v);
uint64_t get_int(const struct lmdb_reader *r, const unsigned char *p, unsigned n);

#define PAGE_BRANCH 0x01u
#define PAGE_LEAF 0x02u
#define PAGE_OVERFLOW 0x04u
#define NODE_BIGDATA 0x01u

/* Call FN for each page after the meta pages up to R's last page in the
 * file F that R describes, with its number and flags, read before the
 * call: a tree page, or the first of a value's overflow pages (the
 * others are skipped).  A page never written (all zero) is skipped. */
typedef void page_fn(void *ctx, unsigned char *page, uint64_t pgno, unsigned flags);
void for_each_page(const struct lmdb_reader *r, unsigned char *f, page_fn *fn, void *ctx);

/* ------------------------------------------------------------- damage */

/* lmdb_forge.c: forgeries of the good database DATA (SIZE bytes), which
 * WANT lists (the meta pages, the tree, the overflow pages), each
 * refused; and every truncation, refused unless it keeps every page in
 * use, when it reads the same. */
void check_damage(const unsigned char *data, size_t size, const struct listing *want);

#endif
