/* The pages LMDB will follow, checked before it follows them.
 *
 * LMDB (0.9) reads a page number from its file and adds it to the map's
 * address without a bound: a B-tree node or an overflow page number past
 * the end of the file is a SIGBUS (the fuzzer built such a file, with a
 * checksum that matched).  The module's reads all go through the main
 * database: meta page, root, down to a leaf, and from a leaf node to the
 * first page of a large value.  This walks the same path for every key
 * the tree holds, over the bytes of the file, and refuses a page number,
 * offset or size that does not lie inside it.
 *
 * Layout, as lmdb 0.9's mdb.c writes it on a little-endian machine:
 *   page header, 16 bytes: u64 pgno, u16 pad, u16 flags, u16 lower,
 *     u16 upper (an overflow page: u32 page count at 12);
 *   then u16 node offsets up to LOWER;
 *   node: u16 lo, u16 hi, u16 flags, u16 key size, key, data.  A leaf's
 *     data size is lo | hi << 16; F_BIGDATA: the data is the u64 number
 *     of its first overflow page.  A branch node's child page number is
 *     lo | hi << 16 | flags << 32.
 *   meta: the main database's record at 88 (flags u16 at 92, depth u16 at
 *     94, root u64 at 128), the last page at 136.
 */
#include <config.h>

#include "lmdb_check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE_HEADER 16u
#define NODE_HEADER 8u
#define P_BRANCH 0x01u
#define P_LEAF 0x02u
#define P_OVERFLOW 0x04u
#define F_BIGDATA 0x01u
#define P_INVALID UINT64_MAX
#define MAX_DEPTH 16u   /* LMDB's cursor stack holds 32 pages */

struct walk {
	int fd;
	uint32_t psize;
	uint64_t last;           /* the last page LMDB may read */
	unsigned char *seen;     /* a bit per page: each is visited once */
	char *why;
	size_t whylen;
};

static void say(const struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct walk *w, const char *fmt, ...)
{
	va_list ap;

	if (w->why == NULL || w->whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(w->why, w->whylen, fmt, ap);
	va_end(ap);
}

static uint16_t u16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t u32(const unsigned char *p)
{
	return (uint32_t)u16(p) | (uint32_t)u16(p + 2) << 16;
}

static uint64_t u64(const unsigned char *p)
{
	return (uint64_t)u32(p) | (uint64_t)u32(p + 4) << 32;
}

static int read_page(const struct walk *w, uint64_t pgno, unsigned char *buf, size_t len)
{
	ssize_t n;

	do
		n = pread(w->fd, buf, len, (off_t)(pgno * w->psize));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno;
	if ((size_t)n != len) {
		say(w, "LMDB page %llu lies beyond the file", (unsigned long long)pgno);
		return EBADMSG;
	}
	return 0;
}

/* A large value: DSIZE bytes from page PGNO on. */
static int check_overflow(const struct walk *w, uint64_t pgno, uint32_t dsize)
{
	unsigned char h[PAGE_HEADER];
	uint64_t pages = ((uint64_t)dsize + PAGE_HEADER + w->psize - 1) / w->psize;
	int rc;

	if (pgno < 2 || pgno > w->last || pages > w->last - pgno + 1) {
		say(w, "LMDB value of %u bytes at page %llu runs past the last page %llu", dsize,
		    (unsigned long long)pgno, (unsigned long long)w->last);
		return EBADMSG;
	}
	rc = read_page(w, pgno, h, sizeof h);
	if (rc == 0 && (u16(h + 10) != P_OVERFLOW || u32(h + 12) < pages)) {
		say(w, "LMDB page %llu is not the overflow page of a value", (unsigned long long)pgno);
		rc = EBADMSG;
	}
	return rc;
}

static int check_page(const struct walk *w, uint64_t pgno, unsigned depth, unsigned char *buf)
{
	unsigned want = depth == 1 ? P_LEAF : P_BRANCH;
	unsigned lower, upper, nkeys;
	int rc;

	if (pgno < 2 || pgno > w->last) {
		say(w, "LMDB page number %llu outside the file", (unsigned long long)pgno);
		return EBADMSG;
	}
	if (w->seen[pgno / 8] & (1u << (pgno % 8))) {
		say(w, "LMDB page %llu is reached twice", (unsigned long long)pgno);
		return EBADMSG;
	}
	w->seen[pgno / 8] |= (unsigned char)(1u << (pgno % 8));
	rc = read_page(w, pgno, buf, w->psize);
	if (rc != 0)
		return rc;
	lower = u16(buf + 12);
	upper = u16(buf + 14);
	nkeys = (lower - PAGE_HEADER) / 2;
	if (u16(buf + 10) != want || lower < PAGE_HEADER + 2 || (lower - PAGE_HEADER) % 2 != 0 ||
	    lower > upper || upper > w->psize) {
		say(w, "LMDB page %llu: bad header", (unsigned long long)pgno);
		return EBADMSG;
	}
	for (unsigned i = 0; i < nkeys; i++) {
		unsigned off = u16(buf + PAGE_HEADER + 2 * i);
		const unsigned char *node = buf + off;
		uint64_t end;

		if (off < upper || off + NODE_HEADER > w->psize) {
			say(w, "LMDB page %llu: node %u outside the page", (unsigned long long)pgno, i);
			return EBADMSG;
		}
		end = (uint64_t)off + NODE_HEADER + u16(node + 6);
		if (depth > 1) {
			uint64_t child = u16(node) | (uint64_t)u16(node + 2) << 16 |
					 (uint64_t)u16(node + 4) << 32;
			unsigned char *next = buf + w->psize;

			if (end > w->psize) {
				say(w, "LMDB page %llu: key %u outside the page", (unsigned long long)pgno, i);
				return EBADMSG;
			}
			rc = check_page(w, child, depth - 1, next);
		} else {
			uint32_t dsize = u16(node) | (uint32_t)u16(node + 2) << 16;
			unsigned flags = u16(node + 4);

			end += flags == F_BIGDATA ? 8 : dsize;
			if ((flags != 0 && flags != F_BIGDATA) || end > w->psize) {
				say(w, "LMDB page %llu: record %u outside the page", (unsigned long long)pgno, i);
				return EBADMSG;
			}
			if (flags == F_BIGDATA)
				rc = check_overflow(w, u64(buf + end - 8), dsize);
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

int lmdb_check_tree(int fd, uint32_t psize, const unsigned char *meta, char *why, size_t whylen)
{
	struct walk w = { fd, psize, u64(meta + 136), NULL, why, whylen };
	unsigned depth = u16(meta + 94);
	uint64_t root = u64(meta + 128);
	unsigned char *bufs;
	int rc;

	if (root == P_INVALID)
		return 0;   /* an empty database: LMDB reads no page */
	if (u16(meta + 92) != 0 || depth == 0 || depth > MAX_DEPTH) {
		say(&w, "LMDB main database: flags %u, depth %u", u16(meta + 92), depth);
		return EBADMSG;
	}
	w.seen = calloc(w.last / 8 + 1, 1);
	bufs = malloc((size_t)psize * depth);   /* a page per level */
	rc = w.seen == NULL || bufs == NULL ? ENOMEM : check_page(&w, root, depth, bufs);
	free(w.seen);
	free(bufs);
	return rc;
}
