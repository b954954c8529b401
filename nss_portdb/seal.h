/* The seal: checksums of the database's content, so that no answer comes
 * from a damaged byte, without reading the whole file at open.
 *
 * The index value (index.h) is cut into blocks of SEAL_BLOCK bytes (the
 * last may be shorter), each with its own checksum, seeded with its
 * number.  A process verifies a block the first time it reads from it,
 * and remembers it in a bitmap: a lookup then costs the blocks it
 * touches, once, whatever the size of the file.  The metadata ('M'
 * values) is read whole at open, and checked whole.
 *
 * The layout of the seal value is in format.h.
 *
 * A block's checksum is read when the block is verified; a damaged one
 * makes its block fail, which is safe.  A block that fails marks the
 * whole database corrupt in this process: every later check fails. */
/* Errors: a function returning int returns 0 or a positive errno;
 * seal_size returns a size. */
#ifndef PORTDB_SEAL_H
#define PORTDB_SEAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "checksum.h"
#include "format.h"

/* What both halves compute alike: the number of blocks of an index of
 * LEN bytes, and the checksum of block B (blocks of 1 << SHIFT bytes). */
static inline uint32_t seal_block_count(uint64_t len)
{
	return (uint32_t)((len + SEAL_BLOCK - 1) / SEAL_BLOCK);
}

static inline uint64_t seal_block_sum(const unsigned char *index, uint64_t len,
				      uint32_t shift, uint32_t b)
{
	uint64_t off = (uint64_t)b << shift;
	uint64_t n = len - off < (1ull << shift) ? len - off : 1ull << shift;

	return checksum(index + off, (size_t)n, b);
}

/* The seal of one opened database, as a reader sees it. */
struct seal {
	const unsigned char *data;   /* the index value */
	uint64_t len;
	const unsigned char *sums;   /* the block checksums, in the map */
	uint32_t shift;              /* log2 of the block size */
	uint32_t nblocks;
	atomic_uchar *verified;      /* a bit per block */
	atomic_int corrupt;
};

/* The writer's half (seal_write.c, not in the module): the seal of an
 * index value of LEN bytes at INDEX, with META_SUM
 * the checksum of the metadata (seal_meta_*), into OUT, which holds
 * seal_size(LEN) bytes. */
size_t seal_size(uint64_t len);
void seal_encode(unsigned char *out, const unsigned char *index, uint64_t len,
		 uint64_t meta_sum);
/* Record META_SUM in the seal OUT, for a writer that learns it later. */
void seal_set_meta_sum(unsigned char *out, uint64_t meta_sum);

/* The metadata checksum, value by value, in key order. */
void seal_meta_init(struct checksum *c);
void seal_meta_add(struct checksum *c, const void *value, size_t len);

/* Reader: check the seal value SEAL (SEAL_LEN bytes) against the index
 * value INDEX (LEN bytes) and the metadata checksum META_SUM computed
 * from what was read.  Allocates the bitmap.
 * @return 0, EBADMSG (the seal does not match), or ENOMEM. */
int seal_open(struct seal *s, const unsigned char *seal, size_t seal_len,
	      const unsigned char *index, uint64_t len, uint64_t meta_sum);
void seal_close(struct seal *s);

/* Verify the blocks that hold bytes OFF .. OFF+LEN-1 of the index value,
 * in order (bounds are the caller's: 0 < LEN, OFF + LEN <= the value's
 * length).  Safe from
 * any number of threads: two that verify the same block at once both
 * find it good.  @return 0, or EBADMSG. */
int seal_verify(struct seal *s, uint64_t off, uint64_t len);

/* The same for a few bytes at OFF that lie in one block (an index slot:
 * 8 bytes at a multiple of 8 never straddle two). */
static inline int seal_check_small(struct seal *s, uint64_t off, uint64_t len)
{
	uint64_t b;

	if (s == NULL)
		return 0;
	b = off >> s->shift;
	if (atomic_load_explicit(&s->verified[b >> 3], memory_order_relaxed) & (1u << (b & 7)))
		return 0;
	return seal_verify(s, off, len);
}

/* The common case inline: every block of the range already verified.
 * LEN is not 0. */
static inline int seal_check(struct seal *s, uint64_t off, uint64_t len)
{
	uint64_t b, last;

	if (s == NULL)
		return 0;   /* memory the caller built itself */
	b = off >> s->shift;
	last = (off + len - 1) >> s->shift;
	do {
		if (!(atomic_load_explicit(&s->verified[b >> 3], memory_order_relaxed) &
		      (1u << (b & 7))))
			return seal_verify(s, off, len);
	} while (++b <= last);
	return 0;
}

#endif
