/* The index: the one large LMDB value that answers every lookup (its
 * layout, and why the first match is glibc's answer: format.h, index.c).
 * Reading is here; building, in index_write.c, is the writer's. */
/* Errors: a function returning int returns 0 or a positive errno;
 * query_matches is a predicate. */
#ifndef PORTDB_INDEX_H
#define PORTDB_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "keys.h"
#include "seal.h"

/* A checked view of an index value in the map.  Every byte is verified
 * against SEAL before it is read (NULL: memory the caller built). */
struct index_view {
	const unsigned char *base;
	const unsigned char *slots;
	const unsigned char *seq;
	const unsigned char *records;
	uint64_t records_len;
	uint32_t mask;
	uint32_t nentries;
	struct seal *seal;
};

/* Check the header of the index value DATA of LEN bytes against LEN,
 * verifying it against SEAL.  @return 0, or EBADMSG. */
int index_view_init(struct index_view *ix, const void *data, size_t len, struct seal *seal);

/* Does V answer Q? */
int query_matches(const struct query *q, const struct entry_view *v);

/* @return 0 with *out, ENOENT, or EBADMSG. */
int index_find(const struct index_view *ix, const struct query *q, struct entry_view *out);
int index_entry_at(const struct index_view *ix, uint32_t seq, struct entry_view *out);

/* The writer's half (index_write.c, not in the module).  index_plan
 * sizes the index of NENTRIES records of RECORDS_LEN bytes that ask at most NQUESTIONS questions (load factor at
 * most 2/3).  @return 0, or EFBIG. */
struct index_plan {
	uint32_t nslots;
	uint32_t nentries;
	uint64_t records_len;
	size_t size;
};
int index_plan(struct index_plan *plan, uint32_t nentries, uint64_t records_len,
	       uint64_t nquestions);

/* Lay out the index in OUT (plan->size bytes): the header, empty slots,
 * the entry table from OFFSETS and the records.  Then index_insert each
 * question of each entry, in file order: the question of hash HASH,
 * asked of the record at RECORD_OFFSET, takes the first empty slot from
 * its home, unless a slot on the way has its check and a record that
 * ANSWERED_BY(CTX, offset) says answers it too: an earlier entry, whose
 * answer wins. */
void index_layout(unsigned char *out, const struct index_plan *plan,
		  const size_t *offsets, const unsigned char *records);
void index_insert(unsigned char *out, const struct index_plan *plan, uint64_t hash,
		  uint32_t record_offset, int (*answered_by)(void *ctx, uint32_t offset),
		  void *ctx);

#endif
