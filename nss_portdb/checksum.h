/* A fast 64-bit checksum, streaming.  It finds corruption; it is not
 * cryptographic (the trust rules keep forged files out).  The result
 * does not depend on the host's byte order or word size. */
/* Errors: none; nothing here can fail. */
#ifndef PORTDB_CHECKSUM_H
#define PORTDB_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

struct checksum {
	uint64_t lane[4];
	unsigned char tail[32];
	size_t tail_len;
	uint64_t total;
};

/* Start a checksum; different SEEDs give unrelated checksums of the same
 * bytes (a block's number is its seed, so a block moved is a block
 * changed). */
void checksum_init(struct checksum *c, uint64_t seed);
void checksum_update(struct checksum *c, const void *data, size_t len);
uint64_t checksum_final(const struct checksum *c);

/* The checksum of LEN bytes at DATA with SEED, in one call. */
uint64_t checksum(const void *data, size_t len, uint64_t seed);

#endif
