/* One services entry as stored in the database (format.h), and its
 * unpacking into a caller's struct servent. */
/* Errors: a function returning int returns 0 or a positive errno;
 * entry_has_name is a predicate, and entry_decode and
 * entry_servent_size return sizes (see each). */
#ifndef PORTDB_ENTRY_H
#define PORTDB_ENTRY_H

#include <netdb.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "format.h"

/* A record found in the database: a view into the mapped file, checked. */
struct entry_view {
	uint32_t seq;
	uint32_t line;
	uint16_t source;
	uint16_t port_net;
	uint32_t naliases;
	const char *proto;   /* NUL-terminated, inside the mapped block */
	const char *name;    /* NUL-terminated, inside the mapped block */
	size_t name_len;     /* strlen(name), which the decoder found */
	const char *aliases; /* first alias; aliases follow one another */
	const char *block;
	uint32_t blocklen;
};

/* What the writer encodes. */
struct entry_in {
	uint32_t seq;
	uint32_t line;
	uint16_t source;
	uint16_t port;       /* host byte order */
	const char *proto;
	const char *name;
	const char *const *aliases;
	size_t naliases;
};

/* The size of the encoding of E, in *SIZE.
 * @return 0, or EFBIG if it cannot be encoded (a string block over
 * 4 GiB). */
int entry_encoded_size(const struct entry_in *e, size_t *size);

/* Encode E into OUT, which holds SIZE bytes, its entry_encoded_size.
 * @return 0, or EINVAL if the record did not end at SIZE (E changed in
 * between: a bug of the caller's; OUT may then be overrun). */
int entry_encode(const struct entry_in *e, unsigned char *out, size_t size);

/* The alias count of the record at RECORD, which the caller encoded
 * itself (nothing is checked). */
static inline uint32_t entry_naliases(const unsigned char *record)
{
	return get_be32(record + ENTRY_NALIASES_AT);
}

/* Decode the record that starts at DATA, of at most LEN bytes.  Every
 * length is checked against LEN and the string block must hold exactly
 * 2 + naliases NUL-terminated strings.
 * @return the record's size (> 0), or 0 if the bytes are not a valid
 * record: unlike the rest of this header, a size, as the module's
 * lookups call it for every candidate and use the size at once. */
size_t entry_decode(const void *data, size_t len, struct entry_view *out);

/* Pack V into RESULT, with every string and the alias array in BUF.
 * @return 0, or ERANGE when BUFLEN is too small (nothing written to BUF). */
int entry_to_servent(const struct entry_view *v, struct servent *result,
		     char *buf, size_t buflen);

/* Bytes of BUF that entry_to_servent needs for V, if BUF is at address
 * BUF_ADDR (the alias array must be aligned for char *). */
size_t entry_servent_size(const struct entry_view *v, uintptr_t buf_addr);

/* Does V carry NAME as its name or one of its aliases? */
int entry_has_name(const struct entry_view *v, const char *name, size_t namelen);

#endif
