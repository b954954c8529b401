/* Keys and query hashes.  The hash is FNV-1a with a final avalanche:
 * collisions are legal (the reader checks every candidate), so it need
 * only spread well, and it must not depend on the host's byte order. */
#include <config.h>

#include "keys.h"

#include <string.h>

#define FNV_PRIME 0x100000001b3ULL

/* One byte of FNV-1a. */
static inline uint64_t fnv_byte(uint64_t h, unsigned char c)
{
	return (h ^ c) * FNV_PRIME;
}

uint64_t hash_fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		h = fnv_byte(h, p[i]);
	return h;
}

/* The finaliser of MurmurHash3: every input bit reaches every output bit. */
static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t key_index(void)
{
	return (uint64_t)KEY_INDEX << 56;
}

uint64_t key_meta(uint32_t id)
{
	return (uint64_t)KEY_META << 56 | id;
}

uint64_t key_seal(void)
{
	return (uint64_t)KEY_SEAL << 56;
}

/* Each kind starts from its own tag byte; a name never holds NUL (P3),
 * so NUL separates it from the protocol.  The tag, the NUL and the
 * protocol are hashed byte by byte here, the protocol up to its NUL
 * rather than after a strlen: this is on every lookup's path, and the
 * result is the same. */
uint64_t query_hash(const struct query *q)
{
	unsigned char tag = (unsigned char)((q->kind == QUERY_NAME ? 'n' : 'p') -
					    (q->proto != NULL ? 32 : 0));
	uint64_t h = fnv_byte(HASH_FNV1A_INIT, tag);

	if (q->kind == QUERY_NAME) {
		h = hash_fnv1a(h, q->name, q->len);
	} else {
		unsigned char port[2];

		memcpy(port, &q->port_net, 2);   /* network order: same bytes everywhere */
		h = fnv_byte(fnv_byte(h, port[0]), port[1]);
	}
	if (q->proto != NULL) {
		h = fnv_byte(h, 0);
		for (const unsigned char *p = (const unsigned char *)q->proto; *p != 0; p++)
			h = fnv_byte(h, *p);
	}
	return mix(h);
}
