/* Key construction.  The hash is FNV-1a over the bytes with a final
 * avalanche: collisions are legal (see keys.h), so it need only spread. */
#include <config.h>

#include "keys.h"

#include <string.h>

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= FNV_PRIME;
	}
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

static uint64_t tagged(int tag, uint64_t h)
{
	return (uint64_t)tag << 56 | (mix(h) & 0x00ffffffffffffffULL);
}

uint64_t key_entry(uint32_t seq)
{
	return (uint64_t)KEY_ENTRY << 56 | seq;
}

uint64_t key_meta(uint32_t id)
{
	return (uint64_t)KEY_META << 56 | id;
}

/* A name never holds NUL (P3), so NUL separates it from the protocol. */
uint64_t key_name(const char *name, size_t len, const char *proto)
{
	uint64_t h = fnv(FNV_OFFSET, name, len);

	if (proto == NULL)
		return tagged(KEY_NAME, h);
	h = fnv(h, "", 1);
	return tagged(KEY_NAME_PROTO, fnv(h, proto, strlen(proto)));
}

uint64_t key_port(uint16_t port_net, const char *proto)
{
	uint64_t h = fnv(FNV_OFFSET, &port_net, sizeof port_net);

	if (proto == NULL)
		return tagged(KEY_PORT, h);
	return tagged(KEY_PORT_PROTO, fnv(h, proto, strlen(proto)));
}
