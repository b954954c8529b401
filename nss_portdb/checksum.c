/* The checksum (checksum.h): four independent lanes over 32-byte
 * stripes, so that the multiplies of one stripe run in parallel. */
#include <config.h>

#include "checksum.h"
#include "bytes.h"

#include <string.h>

#define K1 0x9e3779b185ebca87ULL
#define K2 0xc2b2ae3d27d4eb4fULL

static inline uint64_t rotl(uint64_t x, int r)
{
	return x << r | x >> (64 - r);
}

void checksum_init(struct checksum *c, uint64_t seed)
{
	memset(c, 0, sizeof *c);
	for (int i = 0; i < 4; i++)
		c->lane[i] = (K1 * (uint64_t)(i + 1) ^ K2) + seed * K2;
}

/* The lanes live in locals: stores through C would (by the aliasing
 * rules for bytes) force every input byte to be reloaded. */
static void stripes(uint64_t lane[4], const unsigned char *p, size_t n)
{
	uint64_t a = lane[0], b = lane[1], c = lane[2], d = lane[3];

	for (; n > 0; n--, p += 32) {
		a = rotl(a + get_le64(p) * K2, 31) * K1;
		b = rotl(b + get_le64(p + 8) * K2, 31) * K1;
		c = rotl(c + get_le64(p + 16) * K2, 31) * K1;
		d = rotl(d + get_le64(p + 24) * K2, 31) * K1;
	}
	lane[0] = a;
	lane[1] = b;
	lane[2] = c;
	lane[3] = d;
}

void checksum_update(struct checksum *c, const void *data, size_t len)
{
	const unsigned char *p = data;

	c->total += len;
	if (c->tail_len > 0) {
		size_t n = 32 - c->tail_len < len ? 32 - c->tail_len : len;
		memcpy(c->tail + c->tail_len, p, n);
		c->tail_len += n;
		p += n;
		len -= n;
		if (c->tail_len < 32)
			return;
		stripes(c->lane, c->tail, 1);
		c->tail_len = 0;
	}
	stripes(c->lane, p, len / 32);
	p += len / 32 * 32;
	len %= 32;
	memcpy(c->tail, p, len);
	c->tail_len = len;
}

uint64_t checksum_final(const struct checksum *c)
{
	uint64_t h = c->total * K1;

	for (int i = 0; i < 4; i++)
		h = rotl(h ^ c->lane[i], 27) * K2 + K1;
	for (size_t i = 0; i < c->tail_len; i++)
		h = rotl(h ^ c->tail[i] * K1, 11) * K2;
	h ^= h >> 29;
	h *= K1;
	h ^= h >> 32;
	return h;
}

uint64_t checksum(const void *data, size_t len, uint64_t seed)
{
	struct checksum c;

	checksum_init(&c, seed);
	checksum_update(&c, data, len);
	return checksum_final(&c);
}
