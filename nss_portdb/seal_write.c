/* Sealing an index: the writer's half of seal.h. */
#include <config.h>

#include "seal.h"
#include "bytes.h"

size_t seal_size(uint64_t len)
{
	return SEAL_HEADER_SIZE + (size_t)seal_block_count(len) * 8;
}

void seal_encode(unsigned char *out, const unsigned char *index, uint64_t len,
		 uint64_t meta_sum)
{
	uint32_t n = seal_block_count(len), shift = 0;

	while ((1u << shift) < SEAL_BLOCK)
		shift++;
	put_be32(out, SEAL_BLOCK);
	put_be32(out + 4, n);
	put_be64(out + 8, len);
	put_be64(out + 16, meta_sum);
	for (uint32_t b = 0; b < n; b++)
		put_be64(out + SEAL_HEADER_SIZE + (size_t)b * 8, seal_block_sum(index, len, shift, b));
}

void seal_set_meta_sum(unsigned char *out, uint64_t meta_sum)
{
	put_be64(out + 16, meta_sum);
}
