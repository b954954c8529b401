/* The hash index, the reader's half: probing.  (Layout and insertion
 * are the writer's, in index_write.c.)  Readers treat the value as hostile: every offset is checked
 * and every probe sequence is bounded.
 *
 * Why the first match is glibc's answer: let e be the earliest entry
 * that answers question Q.  When the writer inserts e's questions, every
 * slot on Q's probe path holds an entry inserted before, so no later than
 * e; if one of them answers Q (with the same check) it is e itself and Q
 * needs no slot of its own; otherwise Q takes the first empty slot.
 * Slots are never emptied, so a reader probing for Q meets the same
 * occupied slots, and the first one that answers is e. */
#include <config.h>

#include "index.h"
#include "bytes.h"

#include <errno.h>
#include <string.h>

int index_view_init(struct index_view *ix, const void *data, size_t len, struct seal *seal)
{
	const unsigned char *d = data;
	uint32_t nslots;
	uint64_t need;

	if (len < INDEX_HEADER_SIZE || seal_check(seal, 0, INDEX_HEADER_SIZE) != 0)
		return EBADMSG;
	ix->base = d;
	ix->seal = seal;
	nslots = get_be32(d);
	ix->nentries = get_be32(d + 4);
	ix->records_len = get_be64(d + 8);
	if (nslots == 0 || (nslots & (nslots - 1)) != 0)
		return EBADMSG;
	need = INDEX_HEADER_SIZE + (uint64_t)nslots * 8 + (uint64_t)ix->nentries * 4;
	if (ix->records_len > UINT32_MAX || need + ix->records_len != len)
		return EBADMSG;
	ix->mask = nslots - 1;
	ix->slots = d + INDEX_HEADER_SIZE;
	ix->seq = ix->slots + (size_t)nslots * 8;
	ix->records = ix->seq + (size_t)ix->nentries * 4;
	return 0;
}

/* strcmp(A, B) == 0 for the few bytes of a protocol name, without a
 * call into libc on every lookup. */
static inline int same_string(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b)
		a++, b++;
	return *a == *b;
}

int query_matches(const struct query *q, const struct entry_view *v)
{
	if (q->proto != NULL && !same_string(v->proto, q->proto))
		return 0;
	if (q->kind == QUERY_PORT)
		return v->port_net == q->port_net;
	return entry_has_name(v, q->name, q->len);
}

/* Are LEN bytes at P verified?  P lies inside the value. */
static int verified(const struct index_view *ix, const unsigned char *p, uint64_t len)
{
	return seal_check(ix->seal, (uint64_t)(p - ix->base), len);
}

/* The record at OFF, verified, then decoded.  One check covers it: the
 * length comes from the header, still unverified, but the blocks are
 * verified in order from the one that holds the header, so a damaged
 * header fails before its length is trusted for anything but the bound. */
static inline __attribute__((always_inline)) int record_at(const struct index_view *ix, uint32_t off,
							    struct entry_view *out)
{
	const unsigned char *r = ix->records + off;
	uint64_t room, len;

	if (off >= ix->records_len)
		return EBADMSG;
	room = ix->records_len - off;
	if (room < ENTRY_HEADER_SIZE)
		return EBADMSG;
	len = ENTRY_HEADER_SIZE + (uint64_t)get_be32(r + ENTRY_BLOCKLEN_AT);
	if (len > room || verified(ix, r, len) != 0)
		return EBADMSG;
	return entry_decode(r, (size_t)len, out) ? 0 : EBADMSG;
}

int index_find(const struct index_view *ix, const struct query *q, struct entry_view *out)
{
	uint64_t h = query_hash(q);
	uint32_t i = (uint32_t)(h >> 32) & ix->mask;
	uint32_t check = (uint32_t)h;

	/* A hostile table may have no empty slot: visit each slot once. */
	for (uint32_t n = 0; n <= ix->mask; n++, i = (i + 1) & ix->mask) {
		const unsigned char *slot = ix->slots + (size_t)i * 8;
		uint32_t off;

		if (seal_check_small(ix->seal, (uint64_t)(slot - ix->base), 8) != 0)
			return EBADMSG;
		off = get_be32(slot + 4);
		if (off == INDEX_EMPTY)
			return ENOENT;
		if (get_be32(slot) != check)
			continue;
		if (record_at(ix, off, out) != 0)
			return EBADMSG;
		if (query_matches(q, out))
			return 0;
	}
	return ENOENT;
}

int index_entry_at(const struct index_view *ix, uint32_t seq, struct entry_view *out)
{
	const unsigned char *p = ix->seq + (size_t)seq * 4;

	if (seq >= ix->nentries)
		return ENOENT;
	if (verified(ix, p, 4) != 0 || record_at(ix, get_be32(p), out) != 0 || out->seq != seq)
		return EBADMSG;
	return 0;
}
