/* The seal, the reader's half (seal.h); sealing is in seal_write.c. */
#include <config.h>

#include "seal.h"
#include "valgrind.h"
#include "bytes.h"

#include <errno.h>
#include <stdlib.h>

void seal_meta_init(struct checksum *c)
{
	checksum_init(c, 0);
}

void seal_meta_add(struct checksum *c, const void *value, size_t len)
{
	unsigned char n[4];

	put_be32(n, (uint32_t)len);
	checksum_update(c, n, sizeof n);
	checksum_update(c, value, len);
}

int seal_open(struct seal *s, const unsigned char *seal, size_t seal_len,
	      const unsigned char *index, uint64_t len, uint64_t meta_sum)
{
	uint32_t bsize, shift = 0;

	s->verified = NULL;
	if (seal_len < SEAL_HEADER_SIZE)
		return EBADMSG;
	bsize = get_be32(seal);
	while (shift < 31 && (1u << shift) < bsize)
		shift++;
	/* Blocks of 512 bytes to 1 MiB; this writer makes 4 KiB. */
	if (bsize < 512 || bsize > (1u << 20) || (1u << shift) != bsize)
		return EBADMSG;
	s->nblocks = get_be32(seal + 4);
	if (get_be64(seal + 8) != len || len == 0 ||
	    (uint64_t)s->nblocks != (len + bsize - 1) / bsize ||
	    seal_len != SEAL_HEADER_SIZE + (uint64_t)s->nblocks * 8 ||
	    get_be64(seal + 16) != meta_sum)
		return EBADMSG;
	s->data = index;
	s->len = len;
	s->sums = seal + SEAL_HEADER_SIZE;
	s->shift = shift;
	atomic_init(&s->corrupt, 0);
	s->verified = calloc((size_t)s->nblocks / 8 + 1, 1);
	if (s->verified == NULL)
		return ENOMEM;
	/* Threads set and test the bits with relaxed atomics, and may
	 * verify a block twice (seal.h): by design, not a race. */
	VALGRIND_HG_DISABLE_CHECKING(s->verified, (size_t)s->nblocks / 8 + 1);
	VALGRIND_HG_DISABLE_CHECKING(&s->corrupt, sizeof s->corrupt);
	return 0;
}

void seal_close(struct seal *s)
{
	free((void *)s->verified);
	s->verified = NULL;
}

int seal_verify(struct seal *s, uint64_t off, uint64_t len)
{
	uint64_t first = off >> s->shift, last = (off + len - 1) >> s->shift;

	if (atomic_load_explicit(&s->corrupt, memory_order_relaxed))
		return EBADMSG;
	for (uint64_t b = first; b <= last; b++) {
		unsigned bit = 1u << (b & 7);

		if (atomic_load_explicit(&s->verified[b >> 3], memory_order_relaxed) & bit)
			continue;
		if (b >= s->nblocks ||
		    seal_block_sum(s->data, s->len, s->shift, (uint32_t)b) != get_be64(s->sums + b * 8)) {
			atomic_store_explicit(&s->corrupt, 1, memory_order_relaxed);
			return EBADMSG;
		}
		atomic_fetch_or_explicit(&s->verified[b >> 3], (unsigned char)bit,
					 memory_order_relaxed);
	}
	return 0;
}
