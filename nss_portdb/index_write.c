/* Building the index: the writer's half of index.h (the reader's, and
 * why the first match is glibc's answer, are in index.c). */
#include <config.h>

#include "index.h"
#include "bytes.h"

#include <errno.h>
#include <string.h>

int index_plan(struct index_plan *plan, uint32_t nentries, uint64_t records_len,
	       uint64_t nquestions)
{
	uint64_t want = nquestions + nquestions / 2 + 1, nslots = 8, size;

	while (nslots < want)
		nslots *= 2;
	if (nslots > (1ULL << 31) || records_len >= INDEX_EMPTY)
		return EFBIG;
	size = INDEX_HEADER_SIZE + nslots * 8 + (uint64_t)nentries * 4 + records_len;
	if (size > SIZE_MAX || size > UINT32_MAX * 4ULL)
		return EFBIG;
	plan->nslots = (uint32_t)nslots;
	plan->nentries = nentries;
	plan->records_len = records_len;
	plan->size = (size_t)size;
	return 0;
}

void index_layout(unsigned char *out, const struct index_plan *plan,
		  const size_t *offsets, const unsigned char *records)
{
	unsigned char *seq = out + INDEX_HEADER_SIZE + (size_t)plan->nslots * 8;

	put_be32(out, plan->nslots);
	put_be32(out + 4, plan->nentries);
	put_be64(out + 8, plan->records_len);
	memset(out + INDEX_HEADER_SIZE, 0xff, (size_t)plan->nslots * 8);
	for (uint32_t i = 0; i < plan->nentries; i++)
		put_be32(seq + (size_t)i * 4, (uint32_t)offsets[i]);
	memcpy(seq + (size_t)plan->nentries * 4, records, plan->records_len);
}

void index_insert(unsigned char *out, const struct index_plan *plan, uint64_t hash,
		  uint32_t record_offset, int (*answered_by)(void *ctx, uint32_t offset),
		  void *ctx)
{
	uint32_t mask = plan->nslots - 1, check = (uint32_t)hash;

	for (uint32_t i = (uint32_t)(hash >> 32) & mask;; i = (i + 1) & mask) {
		unsigned char *slot = out + INDEX_HEADER_SIZE + (size_t)i * 8;
		uint32_t off = get_be32(slot + 4);

		if (off == INDEX_EMPTY) {
			put_be32(slot, check);
			put_be32(slot + 4, record_offset);
			return;
		}
		if (get_be32(slot) == check && answered_by(ctx, off))
			return;   /* an earlier entry answers already */
	}
}
