/* Forged and truncated copies of a good database, for test_lmdb_reader
 * (check_damage, lmdb_check.h): every check of the reader has a forgery
 * here that gets through without it.  The copies end at inaccessible
 * pages, so a bound off by one is a crash, not a quiet read. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "lmdb_check.h"
#include "lmdb_reader.h"

#define NODE_HEADER 8u

static const unsigned char index_key[8] = { 'I' };

/* SIZE bytes at DATA, as a file: portdb_open refuses it. */
static void expect_portdb_refuses(const unsigned char *data, size_t size, const char *what)
{
	struct portdb *db;
	char path[300];

	check_path(path, sizeof path, "forged.lmdb");
	write_file(path, data, size);
	if (portdb_open(path, PORTDB_OPEN_UNTRUSTED, &db, NULL, 0) == 0)
		fail_msg("%s: portdb_open accepted it", what);
	unlink(path);
}

/* SIZE bytes at DATA: lmdb_reader_open and portdb_open refuse them. */
static void expect_refused(const unsigned char *data, size_t size, const char *what)
{
	struct lmdb_reader r;
	int rc = lmdb_reader_open(&r, data, size, NULL, 0);

	if (rc != EBADMSG)
		fail_msg("%s: lmdb_reader_open gave %d, not EBADMSG", what, rc);
	expect_portdb_refuses(data, size, what);
}

/* SIZE bytes at DATA, damaged below the meta pages: the reader opens
 * them, but its walk refuses them, and so does lmdb_reader_get of KEY
 * (KLEN bytes; none if NULL).  Unless SHARED (a forgery that only the
 * walk sees), portdb_open refuses them too: it reads every key. */
static void expect_tree_refused(const unsigned char *data, size_t size, const unsigned char *key,
				size_t klen, int shared, const char *what)
{
	const unsigned char *v;
	struct lmdb_reader r;
	struct listing l;
	size_t n;
	int rc;

	assert_int_equal(lmdb_reader_open(&r, data, size, NULL, 0), 0);
	if ((rc = reader_list(&r, &l)) != EBADMSG)
		fail_msg("%s: lmdb_reader_walk gave %d, not EBADMSG", what, rc);
	listing_free(&l);
	if (key != NULL && (rc = lmdb_reader_get(&r, key, klen, &v, &n)) != EBADMSG)
		fail_msg("%s: lmdb_reader_get gave %d, not EBADMSG", what, rc);
	if (!shared)
		expect_portdb_refuses(data, size, what);
}

/* ---------------------------------------------------------- meta pages */

/* An empty database of pages of PSIZE bytes, its meta pages those of the
 * file F that R describes, otherwise well formed: the reader takes it if
 * and only if LMDB 0.9 could have written that page size. */
static int open_with_page_size(const unsigned char *f, const struct lmdb_reader *r,
			       uint32_t psize)
{
	size_t size = 2 * (size_t)psize, mlen = META_TXNID(r) + r->word;
	unsigned char *zero = calloc(1, size);
	struct lmdb_reader t;
	struct guarded g;
	unsigned char *b = guarded_copy(&g, zero, size);
	int rc;

	free(zero);
	for (int m = 0; m < 2; m++) {
		unsigned char *p = b + (size_t)m * psize;

		memcpy(p, f + m * r->psize, mlen);
		put_int(r, p + META_PSIZE(r), 4, psize);
		put_int(r, p + META_LAST(r), r->word, 1);
		put_int(r, p + META_ROOT(r), r->word, r->word == 8 ? UINT64_MAX : UINT32_MAX);
	}
	rc = lmdb_reader_open(&t, b, size, NULL, 0);
	assert_true(rc != 0 || t.depth == 0);
	guarded_free(&g);
	return rc;
}

static void forge_meta_pages(unsigned char *f, size_t size, const struct lmdb_reader *r,
			     const struct listing *want)
{
	static const uint32_t bad_psize[] = { 0, 256, 4095, 65536, 1u << 20 };
	const uint64_t bad_root[] = { r->last + 1, size / r->psize, size / r->psize + 1, 1, 0,
				      (r->word == 8 ? UINT64_MAX : UINT32_MAX) - 1 };
	const size_t at[] = { 0, r->word + 2, r->hdr, r->hdr + 4 };
	size_t psize = r->psize;
	unsigned char *p, keep[32768];
	struct lmdb_reader t;
	int cur = r->meta;

	assert_int_equal(cur, 1);   /* a fresh file: one transaction, into meta page 1 */
	/* The page size forged in either meta page: in the one in use (the
	 * defect: the checks read meta page 0's), and in the other. */
	for (int m = 1; m >= 0; m--) {
		p = f + m * psize + META_PSIZE(r);
		for (size_t i = 0; i < sizeof bad_psize / sizeof bad_psize[0]; i++) {
			char what[80];

			memcpy(keep, p, 4);
			put_int(r, p, 4, bad_psize[i]);
			snprintf(what, sizeof what, "meta page %d with page size %u", m,
				 bad_psize[i]);
			expect_refused(f, size, what);
			memcpy(p, keep, 4);
		}
	}
	/* Both meta pages agree, and meta page 1 lies where they say. */
	assert_int_equal(open_with_page_size(f, r, 512), 0);
	assert_int_equal(open_with_page_size(f, r, 4096), 0);
	assert_int_equal(open_with_page_size(f, r, 32768), 0);
	assert_int_equal(open_with_page_size(f, r, 256), EBADMSG);
	assert_int_equal(open_with_page_size(f, r, 3072), EBADMSG);
	assert_int_equal(open_with_page_size(f, r, 65536), EBADMSG);
	assert_int_equal(open_with_page_size(f, r, 1u << 20), EBADMSG);
	/* Either meta page damaged: its page number, flags, magic, version. */
	for (int m = 0; m < 2; m++) {
		for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
			char what[80];

			p = f + m * psize + at[i];
			p[0] ^= 0x21;
			snprintf(what, sizeof what, "meta page %d damaged at byte %zu", m, at[i]);
			expect_refused(f, size, what);
			p[0] ^= 0x21;
		}
	}
	/* The main database's root past the last page, past the file, on a
	 * meta page. */
	p = f + cur * psize + META_ROOT(r);
	for (size_t i = 0; i < sizeof bad_root / sizeof bad_root[0]; i++) {
		put_int(r, p, r->word, bad_root[i]);
		expect_refused(f, size, "root page forged");
	}
	put_int(r, p, r->word, r->root);
	/* The main database's depth beyond what the reader follows, or none
	 * for a root page; its flags those of a database of duplicates or
	 * of integer keys. */
	p = f + cur * psize + meta_db(r, 1);
	put_int(r, p + 6, 2, 17);
	expect_refused(f, size, "depth 17");
	put_int(r, p + 6, 2, 0);
	expect_refused(f, size, "depth 0");
	put_int(r, p + 6, 2, r->depth);
	put_int(r, p + 4, 2, 0x04);
	expect_refused(f, size, "a database of duplicates");
	put_int(r, p + 4, 2, 0x08);
	expect_refused(f, size, "a database of integer keys");
	put_int(r, p + 4, 2, 0);
	/* The last page in use past the end of the file. */
	p = f + cur * psize + META_LAST(r);
	put_int(r, p, r->word, size / psize);
	expect_refused(f, size, "last page past the end");
	put_int(r, p, r->word, r->last);

	/* The transaction ids decide: meta page 0 made a copy of the one in
	 * use with a later transaction id, and the one in use damaged where
	 * only the meta page in use is read (its root). */
	memcpy(keep, f, psize);
	memcpy(f + r->hdr, f + cur * psize + r->hdr, psize - r->hdr);
	put_int(r, f + META_TXNID(r), r->word, r->txnid + 1);
	p = f + cur * psize + META_ROOT(r);
	put_int(r, p, r->word, r->last + 1);
	assert_int_equal(lmdb_reader_open(&t, f, size, NULL, 0), 0);
	assert_int_equal(t.meta, 0);
	assert_reader_matches(&t, want);
	put_int(r, f + META_TXNID(r), r->word, r->txnid);   /* a tie: meta page 0, as LMDB */
	assert_int_equal(lmdb_reader_open(&t, f, size, NULL, 0), 0);
	assert_int_equal(t.meta, 0);
	put_int(r, f + META_TXNID(r), r->word, r->txnid - 1);   /* older: page 1, forged */
	expect_refused(f, size, "the later meta page's root forged");
	put_int(r, p, r->word, r->root);
	memcpy(f, keep, psize);
}

/* ---------------------------------------------------------- tree pages */

struct forge {
	unsigned char *f;
	size_t size;
	const struct lmdb_reader *r;
	const struct listing *want;
	unsigned pages, forgeries, shared;
};

/* Set the N-byte integer at P to V, check, restore. */
static void forge_int(struct forge *fg, unsigned char *p, unsigned n, uint64_t v,
		      const unsigned char *key, size_t klen, const char *what)
{
	unsigned char keep[8];

	memcpy(keep, p, n);
	put_int(fg->r, p, n, v);
	expect_tree_refused(fg->f, fg->size, key, klen, 0, what);
	memcpy(p, keep, n);
	fg->forgeries++;
}

/* Node I of the tree page P (number PGNO, FLAGS): its offset, header,
 * key size, value or child page number forged. */
static void forge_node(struct forge *fg, unsigned char *p, uint64_t pgno, unsigned flags,
		       unsigned i)
{
	const struct lmdb_reader *r = fg->r;
	unsigned char *slot = p + r->hdr + 2 * i;
	size_t off = get_int(r, slot, 2), upper = get_int(r, p + r->word + 6, 2);
	unsigned char *n = p + off, key[600];
	size_t ks = get_int(r, n + 6, 2), start = off + NODE_HEADER + ks;
	const unsigned char *k = flags == PAGE_LEAF ? key : NULL;
	uint64_t past[] = { r->last + 1, fg->size / r->psize, 1, 0 };

	assert_true(ks <= sizeof key);
	memcpy(key, n + NODE_HEADER, ks);
	/* in the free space below UPPER, an empty node that would do */
	if (upper - NODE_HEADER >= get_int(r, p + r->word + 4, 2)) {
		unsigned char keep[NODE_HEADER];

		memcpy(keep, p + upper - NODE_HEADER, NODE_HEADER);
		memset(p + upper - NODE_HEADER, 0, NODE_HEADER);
		forge_int(fg, slot, 2, upper - NODE_HEADER, NULL, 0, "a node in the free space");
		memcpy(p + upper - NODE_HEADER, keep, NODE_HEADER);
	}
	forge_int(fg, slot, 2, upper - 2, NULL, 0, "a node below the page's upper bound");
	forge_int(fg, slot, 2, r->psize - NODE_HEADER + 1, NULL, 0, "a node past its page");
	forge_int(fg, n + 6, 2, r->psize - off - NODE_HEADER + 1, NULL, 0,
		  "a key past its page");
	if (flags == PAGE_BRANCH) {
		/* the child page number: the data size word and the flags */
		for (size_t j = 0; j < sizeof past / sizeof past[0]; j++)
			forge_int(fg, n, 4, past[j], NULL, 0, "a child page forged");
		forge_int(fg, n, 4, pgno, NULL, 0, "a branch its own child");
		if (r->word == 8)
			forge_int(fg, n + 4, 2, 1, NULL, 0, "a child page number's top half");
		return;
	}
	forge_int(fg, n + 4, 2, 0x02, k, ks, "a sub-database node");
	forge_int(fg, n + 4, 2, 0x04, k, ks, "a duplicates node");
	if (get_int(r, n + 4, 2) == NODE_BIGDATA) {
		uint64_t ov = get_int(r, p + start, r->word);
		unsigned char *o = fg->f + ov * r->psize;
		uint64_t dsize = get_int(r, n, 4), room = (r->last - ov + 1) * r->psize;

		for (size_t j = 0; j < sizeof past / sizeof past[0]; j++)
			forge_int(fg, p + start, r->word, past[j], k, ks,
				  "an overflow page forged");
		forge_int(fg, p + start, r->word, pgno, k, ks, "a leaf as overflow page");
		/* the key so long that the page number runs off the page */
		forge_int(fg, n + 6, 2, r->psize - off - NODE_HEADER - r->word + 1, NULL, 0,
			  "an overflow page number past its page");
		forge_int(fg, o, r->word, ov + 1, k, ks, "an overflow page's number");
		forge_int(fg, o + r->word + 2, 2, PAGE_LEAF, k, ks, "an overflow page's type");
		forge_int(fg, o + r->word + 4, 4, (r->hdr + dsize + r->psize - 1) / r->psize - 1,
			  k, ks, "overflow pages one too few");
		forge_int(fg, o + r->word + 4, 4, 0, k, ks, "no overflow pages");
		/* A value longer than the file, its page count to match. */
		put_int(r, o + r->word + 4, 4, (uint32_t)-1);
		forge_int(fg, n, 4, room - r->hdr + 1, k, ks, "a value past the last page");
		put_int(r, o + r->word + 4, 4, (r->hdr + dsize + r->psize - 1) / r->psize);
	} else {
		forge_int(fg, n, 4, r->psize - start + 1, k, ks, "a value past its page");
	}
}

/* The root branch page P given more nodes, each the same child: a tree
 * that shares a subtree, which the walk visits as often as the file has
 * pages, then refuses. */
static void forge_shared_subtree(struct forge *fg, unsigned char *p, unsigned lower,
				 unsigned upper)
{
	const struct lmdb_reader *r = fg->r;
	size_t extra = r->last + 1, keep = upper - lower;
	unsigned char saved[32768];

	if ((upper - lower) / 2 < extra)
		return;   /* no room in this page */
	memcpy(saved, p + lower, keep);
	for (size_t i = 0; i < extra; i++)
		memcpy(p + lower + 2 * i, p + r->hdr + 2, 2);   /* node 1's offset */
	put_int(r, p + r->word + 4, 2, lower + 2 * extra);
	expect_tree_refused(fg->f, fg->size, NULL, 0, 1, "a tree sharing a subtree");
	put_int(r, p + r->word + 4, 2, lower);
	memcpy(p + lower, saved, keep);
	fg->shared++;
}

static void forge_page(void *ctx, unsigned char *p, uint64_t pgno, unsigned flags)
{
	struct forge *fg = ctx;
	const struct lmdb_reader *r = fg->r;
	unsigned lower, upper, count;
	const unsigned char *key = NULL;
	size_t klen = 0;

	if (flags == PAGE_OVERFLOW)
		return;   /* forged from the node that points to it */
	fg->pages++;
	lower = (unsigned)get_int(r, p + r->word + 4, 2);
	upper = (unsigned)get_int(r, p + r->word + 6, 2);
	assert_true(lower > r->hdr && lower <= upper);
	count = (lower - r->hdr) / 2;
	/* a key whose search reads this page: the first on a leaf; any at
	 * the root */
	if (flags == PAGE_LEAF) {
		key = p + get_int(r, p + r->hdr, 2) + NODE_HEADER;
		klen = get_int(r, key - 2, 2);
	} else if (pgno == r->root) {
		key = fg->want->p[fg->want->n / 2].key;
		klen = fg->want->p[fg->want->n / 2].klen;
	}
	forge_int(fg, p, r->word, pgno + 1, NULL, 0, "a page that names another number");
	forge_int(fg, p + r->word + 2, 2, flags ^ (PAGE_BRANCH | PAGE_LEAF), NULL, 0,
		  "a page of the other type");
	forge_int(fg, p + r->word + 2, 2, flags | 0x10, NULL, 0, "a page with other flags");
	forge_int(fg, p + r->word + 4, 2, upper + 2, NULL, 0, "lower above upper");
	forge_int(fg, p + r->word + 4, 2, r->hdr, NULL, 0, "a page of no nodes");
	forge_int(fg, p + r->word + 4, 2, lower - 1, NULL, 0, "an odd lower bound");
	forge_int(fg, p + r->word + 6, 2, r->psize + 2, NULL, 0, "upper past the page");
	/* node offsets far past the page: a search reads the middle one */
	forge_int(fg, p + r->word + 4, 2, r->hdr - 2, key, klen, "lower below the header");
	forge_int(fg, p + r->word + 4, 2, 0xfffe, key, klen, "lower far past the page");
	put_int(r, p + r->word + 6, 2, 0xffff);
	forge_int(fg, p + r->word + 4, 2, 0xfffe, key, klen, "lower and upper far past the page");
	put_int(r, p + r->word + 6, 2, upper);
	forge_node(fg, p, pgno, flags, 0);
	forge_node(fg, p, pgno, flags, count / 2);
	forge_node(fg, p, pgno, flags, count - 1);
	if (flags == PAGE_BRANCH && pgno == r->root)
		forge_shared_subtree(fg, p, lower, upper);
}

/* The good database DATA (SIZE bytes) that R describes, with a copy of
 * the leaf that holds the index key as a new last page, the tree
 * pointing to it: the file ends where that leaf does, so that a read
 * past any bound of its nodes leaves the file.  @return its number. */
static uint64_t relocate_index_leaf(struct guarded *g, const unsigned char *data, size_t size,
				    const struct lmdb_reader *r)
{
	size_t used = (size_t)(r->last + 1) * r->psize;
	uint64_t leaf = r->root, to = r->last + 1;
	unsigned char *zero = calloc(1, used + r->psize), *f, *meta, *n = NULL;

	assert_non_null(zero);
	assert_true(used <= size);
	f = guarded_copy(g, zero, used + r->psize);
	free(zero);
	memcpy(f, data, used);
	if (r->depth == 2) {   /* the root's first child */
		n = f + r->root * r->psize;
		n += get_int(r, n + r->hdr, 2);
		leaf = get_int(r, n, 4) | (r->word == 8 ? get_int(r, n + 4, 2) << 32 : 0);
	} else {
		assert_int_equal(r->depth, 1);
	}
	memcpy(f + to * r->psize, f + leaf * r->psize, r->psize);
	put_int(r, f + to * r->psize, r->word, to);
	meta = f + r->meta * r->psize;
	put_int(r, meta + META_LAST(r), r->word, to);
	if (n != NULL)
		put_int(r, n, 4, to);
	else
		put_int(r, meta + META_ROOT(r), r->word, to);
	return to;
}

/* ---------------------------------------------------------- truncation */

/* Every truncation of DATA, at and beside each page boundary: refused,
 * unless it keeps every page in use, when it reads the same. */
static void check_truncations(const unsigned char *data, size_t size, const struct listing *want)
{
	struct lmdb_reader r, t;
	struct guarded g;

	assert_int_equal(lmdb_reader_open(&r, data, size, NULL, 0), 0);
	for (size_t n = 0; n <= size / r.psize; n++) {
		for (int d = -1; d <= 1; d++) {
			size_t cut = n * r.psize + (size_t)d;
			int rc;

			if ((d < 0 && n == 0) || cut > size)
				continue;
			guarded_copy(&g, data, cut);
			rc = lmdb_reader_open(&t, g.data, cut, NULL, 0);
			if (cut / r.psize > r.last) {
				assert_int_equal(rc, 0);
				assert_reader_matches(&t, want);
			} else if (rc != EBADMSG) {
				fail_msg("truncated to %zu bytes (page %llu in use): %d", cut,
					 (unsigned long long)r.last, rc);
			}
			guarded_free(&g);
		}
	}
}

void check_damage(const unsigned char *data, size_t size, const struct listing *want)
{
	struct lmdb_reader r;
	struct guarded g;
	unsigned char *f = guarded_copy(&g, data, size);
	struct forge fg = { f, size, &r, want, 0, 0, 0 };
	const unsigned char *v;
	size_t n;

	assert_int_equal(lmdb_reader_open(&r, f, size, NULL, 0), 0);
	assert_reader_matches(&r, want);
	forge_meta_pages(f, size, &r, want);
	for_each_page(&r, f, forge_page, &fg);
	assert_true(fg.pages >= 1 && fg.forgeries >= 20);
	assert_true(r.depth < 2 || fg.shared == 1);
	/* the index value is large: it has overflow pages, forged above */
	assert_int_equal(lmdb_reader_get(&r, index_key, sizeof index_key, &v, &n), 0);
	assert_true(r.hdr + n > r.psize);
	/* every forgery undone */
	assert_true(same_bytes(f, size, data, size));
	guarded_free(&g);

	/* The leaf of the index key last in the file: the same forgeries. */
	{
		struct lmdb_reader t;
		uint64_t last = relocate_index_leaf(&g, data, size, &r);

		assert_int_equal(lmdb_reader_open(&t, g.data, g.size, NULL, 0), 0);
		assert_int_equal(t.last, last);
		assert_reader_matches(&t, want);
		fg = (struct forge){ g.data, g.size, &t, want, 0, 0, 0 };
		forge_page(&fg, g.data + last * t.psize, last, PAGE_LEAF);
		assert_int_equal(fg.pages, 1);
		guarded_free(&g);
	}
	check_truncations(data, size, want);
}
