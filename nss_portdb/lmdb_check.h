/* Checks that keep LMDB's reads inside the file (lmdb_check.c). */
#ifndef PORTDB_LMDB_CHECK_H
#define PORTDB_LMDB_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* Walk the main database of the meta page META (its first 160 bytes) in
 * the LMDB file open at FD, of page size PSIZE, whose last page META
 * names and the caller has checked to lie inside the file: every page
 * LMDB would follow to find a key, and the first page of each large
 * value, must lie inside it with a sane header.  WHY says what is wrong.
 * @return 0; EBADMSG; ENOMEM; or an errno value from reading. */
int lmdb_check_tree(int fd, uint32_t psize, const unsigned char *meta, char *why, size_t whylen);

#endif
