/* Integrity checks made before LMDB sees a file. */
#include <config.h>

#include "trailer.h"
#include "bytes.h"
#include "lmdb_check.h"
#include "meta.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define K1 0x9e3779b185ebca87ULL
#define K2 0xc2b2ae3d27d4eb4fULL

static uint64_t rotl(uint64_t x, int r)
{
	return x << r | x >> (64 - r);
}

/* Written out so that the compiler makes it one load on little-endian
 * machines. */
static inline uint64_t le64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
	       (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

void checksum_init(struct checksum *c)
{
	memset(c, 0, sizeof *c);
	for (int i = 0; i < 4; i++)
		c->lane[i] = K1 * (uint64_t)(i + 1) ^ K2;
}

/* Four independent lanes over 32-byte stripes: the multiplies of one
 * stripe run in parallel.  The lanes live in locals: stores through C
 * would (by the aliasing rules for bytes) force every input byte to be
 * reloaded, at a tenth of the speed. */
static void stripes(uint64_t lane[4], const unsigned char *p, size_t n)
{
	uint64_t a = lane[0], b = lane[1], c = lane[2], d = lane[3];

	for (; n > 0; n--, p += 32) {
		a = rotl(a + le64(p) * K2, 31) * K1;
		b = rotl(b + le64(p + 8) * K2, 31) * K1;
		c = rotl(c + le64(p + 16) * K2, 31) * K1;
		d = rotl(d + le64(p + 24) * K2, 31) * K1;
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

static void say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* Checksum LEN bytes of FD from offset 0, with pread: reading the page
 * cache costs far less than faulting in a mapping page by page.  The
 * buffer is small because its own first-touch faults count too: in a
 * fresh process 16 KiB took half the time of 64 KiB (4 faults, not 16;
 * a fault cost 13 us in a virtual machine here), and larger reads gained
 * nothing. */
static int checksum_fd(int fd, uint64_t len, uint64_t *out)
{
	enum { CHUNK = 1 << 14 };
	unsigned char *buf = malloc(CHUNK);
	struct checksum c;
	uint64_t off = 0;
	int rc = 0;

	if (buf == NULL)
		return ENOMEM;
	checksum_init(&c);
	while (off < len) {
		size_t want = len - off < CHUNK ? (size_t)(len - off) : CHUNK;
		ssize_t n = pread(fd, buf, want, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? errno : EBADMSG;
			break;
		}
		checksum_update(&c, buf, (size_t)n);
		off += (uint64_t)n;
	}
	free(buf);
	*out = checksum_final(&c);
	return rc;
}

static int read_exact(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n;

	do
		n = pread(fd, buf, len, off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno;
	return (size_t)n == len ? 0 : EBADMSG;
}

int trailer_append(int fd, uint64_t lmdb_len)
{
	unsigned char t[TRAILER_SIZE] = { 0 };
	uint64_t sum;
	int rc = checksum_fd(fd, lmdb_len, &sum);
	ssize_t n;

	if (rc != 0)
		return rc;
	memcpy(t, TRAILER_MAGIC, 8);
	put_be64(t + 8, lmdb_len);
	put_be64(t + 16, sum);
	put_be32(t + 24, PORTDB_FORMAT_VERSION);
	do
		n = pwrite(fd, t, sizeof t, (off_t)lmdb_len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno;
	return n == (ssize_t)sizeof t ? 0 : EIO;
}

/* LMDB's meta pages (lmdb 0.9, mdb.c): after a 16-byte page header,
 * u32 magic, u32 version, ..., the page size at byte 40 and the last page
 * number at byte 136 of each.  LMDB maps up to the last page of the meta
 * it picks; both must lie inside the file. */
#define LMDB_MAGIC 0xBEEFC0DEu
#define LMDB_DATA_VERSION 1u

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int check_meta_pages(int fd, uint64_t lmdb_len, char *why, size_t whylen)
{
	unsigned char m[160];
	uint32_t psize = 0;
	int rc;

	for (int i = 0; i < 2; i++) {
		off_t off = i == 0 ? 0 : (off_t)psize;
		uint64_t last;

		if (read_exact(fd, m, sizeof m, off) != 0 || le32(m + 16) != LMDB_MAGIC ||
		    le32(m + 20) != LMDB_DATA_VERSION) {
			say(why, whylen, "not an LMDB file (meta page %d)", i);
			return EBADMSG;
		}
		if (i == 0) {
			psize = le32(m + 40);
			if (psize < 512 || psize > 65536 || (psize & (psize - 1)) != 0 ||
			    2ULL * psize > lmdb_len) {
				say(why, whylen, "bad LMDB page size %u", psize);
				return EBADMSG;
			}
		}
		last = le64(m + 136);
		if (last >= lmdb_len / psize) {
			say(why, whylen, "truncated: LMDB's last page %llu lies beyond the file",
			    (unsigned long long)last);
			return EBADMSG;
		}
		rc = lmdb_check_tree(fd, psize, m, why, whylen);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int trailer_verify(int fd, const struct stat *st, char *why, size_t whylen)
{
	unsigned char t[TRAILER_SIZE];
	uint64_t size = (uint64_t)st->st_size, len, sum;
	int rc;

	if (size < TRAILER_SIZE || read_exact(fd, t, sizeof t, (off_t)(size - TRAILER_SIZE)) != 0 ||
	    memcmp(t, TRAILER_MAGIC, 8) != 0) {
		say(why, whylen, "not a portdb database (no trailer; truncated?)");
		return EBADMSG;
	}
	if (get_be32(t + 24) != PORTDB_FORMAT_VERSION) {
		say(why, whylen, "format version %u, this build reads version %u",
		    get_be32(t + 24), PORTDB_FORMAT_VERSION);
		return EPROTO;
	}
	len = get_be64(t + 8);
	if (len != size - TRAILER_SIZE) {
		say(why, whylen, "truncated or extended: %llu bytes, the trailer says %llu",
		    (unsigned long long)size, (unsigned long long)len + TRAILER_SIZE);
		return EBADMSG;
	}
	rc = check_meta_pages(fd, len, why, whylen);
	if (rc != 0)
		return rc;
	rc = checksum_fd(fd, len, &sum);
	if (rc != 0) {
		say(why, whylen, "reading: %s", strerror(rc));
		return rc == EBADMSG ? EBADMSG : rc;
	}
	if (sum != get_be64(t + 16)) {
		say(why, whylen, "checksum mismatch: the file is corrupt");
		return EBADMSG;
	}
	return 0;
}
