/* The LMDB keys of the database, and the hashes of the questions a
 * lookup asks.
 *
 * The database holds a handful of LMDB keys, each 8 bytes, big-endian
 * (byte order is numeric order): a tag byte, then 7 bytes.
 *
 *   'I' 0 ... 0     the index: hash table, entry table and records (index.h)
 *   'M' 0 ... id    metadata (meta.h)
 *   'S' 0 ... 0     the seal: checksums of the others (seal.h); it sorts
 *                   last, so the writer appends it when it knows the rest
 */
#ifndef PORTDB_KEYS_H
#define PORTDB_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define KEY_SIZE 8

enum key_tag {
	KEY_INDEX = 'I',
	KEY_META = 'M',
	KEY_SEAL = 'S',
};

uint64_t key_index(void);
uint64_t key_meta(uint32_t id);
uint64_t key_seal(void);

/* What a lookup asks: by name (NAME of LEN bytes) or by port (network
 * order), with a protocol or with PROTO NULL for any. */
enum query_kind {
	QUERY_NAME,
	QUERY_PORT,
};

struct query {
	enum query_kind kind;
	const char *name;
	size_t len;
	uint16_t port_net;
	const char *proto;
};

/* A 64-bit hash of Q; the four kinds (name or port, with or without a
 * protocol) never share an input. */
uint64_t query_hash(const struct query *q);

#endif
