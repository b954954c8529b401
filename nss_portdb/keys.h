/* The LMDB keys of the database (format.h), and the hashes of the
 * questions a lookup asks. */
/* Errors: none; nothing here can fail. */
#ifndef PORTDB_KEYS_H
#define PORTDB_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "format.h"

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

/* FNV-1a of LEN bytes at DATA, continuing from H (HASH_FNV1A_INIT to
 * start): the one byte-string hash of the project, for tables too. */
#define HASH_FNV1A_INIT 0xcbf29ce484222325ULL
uint64_t hash_fnv1a(uint64_t h, const void *data, size_t len);

#endif
