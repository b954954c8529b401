/* The bounded LMDB reader (lmdb_reader.h).
 *
 * LMDB 0.9's layout, with W the size of a page number (8 or 4 bytes) and
 * every integer in the writer's byte order:
 *   page header (W + 8 bytes): page number (W), u16 pad, u16 flags, u16
 *     lower, u16 upper; an overflow page has a u32 page count in place
 *     of lower and upper.  Node offsets (u16, from the page's start)
 *     follow the header, up to LOWER.
 *   node: u32 data size (two u16 halves, in the machine's order), u16
 *     flags, u16 key size, then the key and the data.  A branch node's
 *     child page number is the data size word, with the flags as its top
 *     16 bits when W is 8.  F_BIGDATA: the data is the page number of
 *     the first of the value's overflow pages, the value following that
 *     page's header.
 *   meta page: after the header, u32 magic, u32 version, two words
 *     (address, map size), two database records (u32 pad, u16 flags, u16
 *     depth, five words: branch, leaf and overflow pages, entries,
 *     root), the last page number and the transaction id.  The page size
 *     is the first record's pad.
 */
#include <config.h>

#include "lmdb_reader.h"
#include "bytes.h"
#include "why.h"

#include <errno.h>
#include <string.h>

#define LMDB_MAGIC 0xBEEFC0DEu
#define LMDB_DATA_VERSION 1u

#define P_BRANCH 0x01u
#define P_LEAF 0x02u
#define P_OVERFLOW 0x04u
#define P_META 0x08u
#define F_BIGDATA 0x01u

#define NODE_HEADER 8u
/* LMDB 0.9 writes the machine's page size, at most 32 KiB. */
#define MIN_PSIZE 512u
#define MAX_PSIZE 32768u
/* The writer's tree of a few keys is one or two levels deep; LMDB's
 * cursors hold 32. */
#define MAX_DEPTH 16u

/* LMDB's own fields are in the writer's byte order. */
static uint16_t get16(const struct lmdb_reader *r, const unsigned char *p)
{
	return r->big_endian ? get_be16(p) : get_le16(p);
}

static uint32_t get32(const struct lmdb_reader *r, const unsigned char *p)
{
	return r->big_endian ? get_be32(p) : get_le32(p);
}

static uint64_t get64(const struct lmdb_reader *r, const unsigned char *p)
{
	return r->big_endian ? get_be64(p) : get_le64(p);
}

/* A page number, or another word-sized field. */
static uint64_t get_word(const struct lmdb_reader *r, const unsigned char *p)
{
	return r->word == 8 ? get64(r, p) : get32(r, p);
}

/* Offsets in a page header and in a meta page, by word size. */
#define PG_FLAGS(r) ((r)->word + 2)
#define PG_LOWER(r) ((r)->word + 4)
#define PG_UPPER(r) ((r)->word + 6)
#define PG_PAGES(r) ((r)->word + 4)
#define MM_MAGIC(r) ((r)->hdr)
#define MM_VERSION(r) ((r)->hdr + 4)
#define MM_DB(r, i) ((r)->hdr + 8 + 2 * (r)->word + (i) * (8 + 5 * (r)->word))
#define MM_LAST(r) MM_DB(r, 2)
#define MM_TXNID(r) (MM_LAST(r) + (r)->word)
#define MM_END(r) (MM_TXNID(r) + (r)->word)
#define DB_PAD 0u
#define DB_FLAGS 4u
#define DB_DEPTH 6u
#define DB_ENTRIES(r) (8 + 3 * (r)->word)
#define DB_ROOT(r) (8 + 4 * (r)->word)

struct meta {
	uint32_t psize;
	unsigned flags, depth;
	uint64_t entries, root, last, txnid;
};

/* Which of LMDB's layouts is this?  Meta page 0 starts the file, with
 * the magic after a page header whose size depends on the word size. */
static int detect_layout(struct lmdb_reader *r)
{
	static const unsigned char words[] = { 8, 4 };

	for (unsigned w = 0; w < sizeof words; w++) {
		for (unsigned be = 0; be < 2; be++) {
			r->word = words[w];
			r->hdr = r->word + 8;
			r->big_endian = be;
			if (r->size >= MM_END(r) && get16(r, r->map + PG_FLAGS(r)) == P_META &&
			    get32(r, r->map + MM_MAGIC(r)) == LMDB_MAGIC)
				return 1;
		}
	}
	return 0;
}

/* Meta page I, at offset OFF. */
static int read_meta(const struct lmdb_reader *r, int i, size_t off, struct meta *m)
{
	const unsigned char *p = r->map + off, *db;

	if (off > r->size || r->size - off < MM_END(r) || get_word(r, p) != (uint64_t)i ||
	    get16(r, p + PG_FLAGS(r)) != P_META || get32(r, p + MM_MAGIC(r)) != LMDB_MAGIC ||
	    get32(r, p + MM_VERSION(r)) != LMDB_DATA_VERSION)
		return EBADMSG;
	m->psize = get32(r, p + MM_DB(r, 0) + DB_PAD);
	db = p + MM_DB(r, 1);
	m->flags = get16(r, db + DB_FLAGS);
	m->depth = get16(r, db + DB_DEPTH);
	m->entries = get_word(r, db + DB_ENTRIES(r));
	m->root = get_word(r, db + DB_ROOT(r));
	m->last = get_word(r, p + MM_LAST(r));
	m->txnid = get_word(r, p + MM_TXNID(r));
	return 0;
}

int lmdb_reader_open(struct lmdb_reader *r, const void *map, size_t size, char *why,
		     size_t whylen)
{
	struct meta m[2];
	uint32_t psize;
	int i;

	memset(r, 0, sizeof *r);
	r->map = map;
	r->size = size;
	if (!detect_layout(r)) {
		why_set(why, whylen, "not an LMDB file");
		return EBADMSG;
	}
	if (get32(r, r->map + MM_VERSION(r)) != LMDB_DATA_VERSION) {
		why_set(why, whylen, "LMDB data version %u; this reads version %u",
			get32(r, r->map + MM_VERSION(r)), LMDB_DATA_VERSION);
		return EBADMSG;
	}
	if (read_meta(r, 0, 0, &m[0]) != 0) {
		why_set(why, whylen, "LMDB meta page 0 is damaged");
		return EBADMSG;
	}
	psize = m[0].psize;
	if (psize < MIN_PSIZE || psize > MAX_PSIZE || (psize & (psize - 1)) != 0) {
		why_set(why, whylen, "bad LMDB page size %u", psize);
		return EBADMSG;
	}
	r->psize = psize;
	if (size / psize < 2 || read_meta(r, 1, psize, &m[1]) != 0) {
		why_set(why, whylen, "LMDB meta page 1 is damaged or missing");
		return EBADMSG;
	}
	if (m[1].psize != psize) {
		why_set(why, whylen, "the LMDB meta pages disagree on the page size (%u, %u)",
			psize, m[1].psize);
		return EBADMSG;
	}
	/* LMDB uses the meta page of the later transaction. */
	i = m[1].txnid > m[0].txnid;
	r->meta = i;
	r->txnid = m[i].txnid;
	r->last = m[i].last;
	r->root = m[i].root;
	r->depth = m[i].depth;
	r->entries = m[i].entries;
	if (r->last < 1 || r->last >= size / psize) {
		why_set(why, whylen, "truncated: LMDB's last page %llu lies beyond the file's %zu",
			(unsigned long long)r->last, size / psize);
		return EBADMSG;
	}
	if (r->root == (r->word == 8 ? UINT64_MAX : UINT32_MAX)) {
		r->depth = 0;   /* an empty database: no page to read */
		return 0;
	}
	if (m[i].flags != 0) {
		why_set(why, whylen, "the LMDB main database has flags %#x, which this does not read",
			m[i].flags);
		return EBADMSG;
	}
	if (r->depth == 0 || r->depth > MAX_DEPTH || r->root < 2 || r->root > r->last) {
		why_set(why, whylen, "bad LMDB main database: root page %llu, depth %u",
			(unsigned long long)r->root, r->depth);
		return EBADMSG;
	}
	return 0;
}

/* Page PGNO, if it lies in the file and is of type TYPE. */
static const unsigned char *page(const struct lmdb_reader *r, uint64_t pgno, unsigned type)
{
	const unsigned char *p;

	if (pgno < 2 || pgno > r->last)
		return NULL;
	p = r->map + pgno * r->psize;
	if (get_word(r, p) != pgno || get16(r, p + PG_FLAGS(r)) != type)
		return NULL;
	return p;
}

/* The number of nodes of branch or leaf page P; 0 if its header is bad. */
static unsigned node_count(const struct lmdb_reader *r, const unsigned char *p)
{
	unsigned lower = get16(r, p + PG_LOWER(r)), upper = get16(r, p + PG_UPPER(r));

	if (lower < r->hdr || (lower - r->hdr) % 2 != 0 || lower > upper || upper > r->psize)
		return 0;
	return (lower - r->hdr) / 2;
}

/* Node I of page P, with its header and key inside the page; NULL if not. */
static const unsigned char *node(const struct lmdb_reader *r, const unsigned char *p, unsigned i,
				 size_t *ksize)
{
	size_t off = get16(r, p + r->hdr + 2 * i);

	if (off < get16(r, p + PG_UPPER(r)) || off + NODE_HEADER > r->psize)
		return NULL;
	*ksize = get16(r, p + off + 6);
	if (off + NODE_HEADER + *ksize > r->psize)
		return NULL;
	return p + off;
}

static uint64_t child_page(const struct lmdb_reader *r, const unsigned char *n)
{
	uint64_t pgno = get32(r, n);

	return r->word == 8 ? pgno | (uint64_t)get16(r, n + 4) << 32 : pgno;
}

/* LMDB's default order: bytes, then length. */
static int key_cmp(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c != 0 ? c : (alen > blen) - (alen < blen);
}

/* The value of leaf node N (key KSIZE bytes) on page P. */
static int node_value(const struct lmdb_reader *r, const unsigned char *p, const unsigned char *n,
		      size_t ksize, const unsigned char **data, size_t *len)
{
	size_t start = (size_t)(n - p) + NODE_HEADER + ksize;
	uint32_t dsize = get32(r, n);
	const unsigned char *ov;
	uint64_t pgno, pages;

	switch (get16(r, n + 4)) {
	case 0:
		if (dsize > r->psize - start)
			return EBADMSG;
		*data = p + start;
		*len = dsize;
		return 0;
	case F_BIGDATA:
		if (r->word > r->psize - start)
			return EBADMSG;
		pgno = get_word(r, p + start);
		ov = page(r, pgno, P_OVERFLOW);
		pages = (r->hdr + (uint64_t)dsize + r->psize - 1) / r->psize;
		if (ov == NULL || get32(r, ov + PG_PAGES(r)) < pages || pages > r->last - pgno + 1)
			return EBADMSG;
		*data = ov + r->hdr;
		*len = dsize;
		return 0;
	default:
		return EBADMSG;   /* a sub-database or duplicates */
	}
}

int lmdb_reader_get(const struct lmdb_reader *r, const void *key, size_t klen,
		    const unsigned char **data, size_t *len)
{
	const unsigned char *p, *n;
	uint64_t pgno = r->root;
	unsigned count, lo, hi;
	size_t ks;

	if (r->depth == 0)
		return ENOENT;
	for (unsigned level = r->depth; level > 1; level--) {
		unsigned pick = 0;

		p = page(r, pgno, P_BRANCH);
		if (p == NULL || (count = node_count(r, p)) == 0)
			return EBADMSG;
		/* The last node whose key is not above KEY; node 0 stands
		 * for everything below node 1, its key unused. */
		for (lo = 1, hi = count; lo < hi;) {
			unsigned mid = lo + (hi - lo) / 2;

			if ((n = node(r, p, mid, &ks)) == NULL)
				return EBADMSG;
			if (key_cmp(n + NODE_HEADER, ks, key, klen) <= 0)
				pick = mid, lo = mid + 1;
			else
				hi = mid;
		}
		if ((n = node(r, p, pick, &ks)) == NULL)
			return EBADMSG;
		pgno = child_page(r, n);
	}
	p = page(r, pgno, P_LEAF);
	if (p == NULL || (count = node_count(r, p)) == 0)
		return EBADMSG;
	for (lo = 0, hi = count; lo < hi;) {
		unsigned mid = lo + (hi - lo) / 2;
		int c;

		if ((n = node(r, p, mid, &ks)) == NULL)
			return EBADMSG;
		c = key_cmp(n + NODE_HEADER, ks, key, klen);
		if (c == 0)
			return node_value(r, p, n, ks, data, len);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return ENOENT;
}

struct walk {
	const struct lmdb_reader *r;
	lmdb_reader_fn *fn;
	void *ctx;
	uint64_t budget;   /* pages left to visit */
};

static int walk_page(struct walk *w, uint64_t pgno, unsigned level)
{
	const struct lmdb_reader *r = w->r;
	const unsigned char *p, *n, *data;
	unsigned count;
	size_t ks, len;
	int rc;

	if (w->budget == 0)
		return EBADMSG;
	w->budget--;
	p = page(r, pgno, level > 1 ? P_BRANCH : P_LEAF);
	if (p == NULL || (count = node_count(r, p)) == 0)
		return EBADMSG;
	for (unsigned i = 0; i < count; i++) {
		if ((n = node(r, p, i, &ks)) == NULL)
			return EBADMSG;
		if (level > 1)
			rc = walk_page(w, child_page(r, n), level - 1);
		else if ((rc = node_value(r, p, n, ks, &data, &len)) == 0)
			rc = w->fn(w->ctx, n + NODE_HEADER, ks, data, len);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int lmdb_reader_walk(const struct lmdb_reader *r, lmdb_reader_fn *fn, void *ctx)
{
	struct walk w = { r, fn, ctx, r->last + 1 };

	return r->depth == 0 ? 0 : walk_page(&w, r->root, r->depth);
}
