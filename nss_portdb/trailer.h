/* The integrity trailer: 32 bytes after LMDB's last page, written by the
 * publisher and checked by readers before LMDB maps the file, with the
 * pages LMDB will follow (lmdb_check.h).  LMDB trusts
 * its file completely; a truncated file or a flipped bit could crash the
 * program or give a wrong answer, so nothing reaches LMDB unchecked.
 *
 *   0  magic "PORTDBT1"
 *   8  u64 length of the LMDB part (the file's size minus 32)
 *  16  u64 checksum of the LMDB part
 *  24  u32 format version   28 u32 zero
 */
#ifndef PORTDB_TRAILER_H
#define PORTDB_TRAILER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#define TRAILER_SIZE 32u
#define TRAILER_MAGIC "PORTDBT1"

/* A 64-bit checksum of LEN bytes, continuing from STATE (start with
 * checksum_init()).  Fast, not cryptographic: it finds corruption, the
 * trust rules keep out forgery. */
struct checksum {
	uint64_t lane[4];
	unsigned char tail[32];
	size_t tail_len;
	uint64_t total;
};
void checksum_init(struct checksum *c);
void checksum_update(struct checksum *c, const void *data, size_t len);
uint64_t checksum_final(const struct checksum *c);

/* Append the trailer to FD, whose content is LMDB_LEN bytes of LMDB file.
 * @return 0 or an errno value. */
int trailer_append(int fd, uint64_t lmdb_len);

/* Check the file open at FD with status ST: its trailer, LMDB's meta
 * pages against the file's size, the checksum.  WHY says what is wrong.
 * @return 0; EBADMSG (corrupt, truncated, not a database); EPROTO
 * (another format version); or an errno value from reading. */
int trailer_verify(int fd, const struct stat *st, char *why, size_t whylen);

#endif
