/* A bounded reader of the LMDB files that `portdb build` writes.
 *
 * The module reads its database with this and never loads liblmdb
 * (DESIGN.md, "One reader"): LMDB trusts its file, and a page number past
 * the end of a hostile file is a SIGBUS in every program that looks up a
 * service.  This reader takes nothing on trust: every page number, offset
 * and length is checked against the file before it is used.
 *
 * What it reads is LMDB 0.9's data format (version 1), as much of it as
 * the writer produces: the meta page LMDB itself would pick (both must be
 * valid; the one with the larger transaction id wins), and the main
 * database's B-tree of plain keys (branch and leaf pages), with large
 * values in overflow pages.  Both layouts that LMDB's writers produce are
 * read, 64-bit page numbers (LP64 machines) and 32-bit (ILP32), in either
 * byte order, so one file serves every architecture's module.  Anything
 * else (named or duplicate-key databases, LEAF2 or sub-pages, another
 * data version) is refused, as is a file that is not LMDB at all.
 *
 * The reader works on bytes the caller has mapped or read; it allocates
 * nothing and makes no system call.  Errors: EBADMSG for a file it
 * refuses, ENOENT for a key that is not there. */
/* Errors: a function returning int returns 0 or a positive errno. */
#ifndef PORTDB_LMDB_READER_H
#define PORTDB_LMDB_READER_H

#include <stddef.h>
#include <stdint.h>

struct lmdb_reader {
	const unsigned char *map;   /* the whole file */
	size_t size;
	size_t psize;               /* LMDB's page size */
	unsigned word;              /* 8 or 4: bytes of a page number */
	unsigned big_endian;        /* the writer's byte order */
	unsigned hdr;               /* bytes of a page header: word + 8 */
	int meta;                   /* the meta page in use, 0 or 1 */
	uint64_t txnid;             /* its transaction id */
	uint64_t last;              /* the last page in use */
	uint64_t root;              /* the main database's root page */
	unsigned depth;             /* its depth; 0 for an empty database */
	uint64_t entries;           /* its number of keys, as LMDB counts them */
};

/* Check the LMDB file of SIZE bytes at MAP, which must stay readable for
 * as long as R is used, and describe it in R.  WHY (may be NULL) receives
 * a sentence saying what is wrong.
 * @return 0, or EBADMSG. */
int lmdb_reader_open(struct lmdb_reader *r, const void *map, size_t size, char *why,
		     size_t whylen);

/* Find KEY (KLEN bytes) in the main database.
 * @return 0 with *DATA and *LEN viewing the value inside the map; ENOENT
 * if the key is not there; EBADMSG if the tree on the way is damaged. */
int lmdb_reader_get(const struct lmdb_reader *r, const void *key, size_t klen,
		    const unsigned char **data, size_t *len);

/* Call FN for every key of the main database, in key order, with its
 * value; FN returns 0 to go on.  No page is visited more often than the
 * file has pages, so a hostile tree that shares its subtrees is refused,
 * not walked for ever.
 * @return 0; what FN returned, if not 0; or EBADMSG. */
typedef int lmdb_reader_fn(void *ctx, const unsigned char *key, size_t klen,
			   const unsigned char *data, size_t len);
int lmdb_reader_walk(const struct lmdb_reader *r, lmdb_reader_fn *fn, void *ctx);

#endif
