/* Record encoding: the writer's half of entry.h. */
#include <config.h>

#include "entry.h"
#include "bytes.h"

#include <errno.h>
#include <string.h>

int entry_encoded_size(const struct entry_in *e, size_t *size)
{
	size_t block = strlen(e->proto) + 1 + strlen(e->name) + 1;

	for (size_t i = 0; i < e->naliases; i++)
		block += strlen(e->aliases[i]) + 1;
	if (block > UINT32_MAX || e->naliases > UINT32_MAX)
		return EFBIG;
	*size = ENTRY_HEADER_SIZE + block;
	return 0;
}

static unsigned char *put_string(unsigned char *p, const char *s)
{
	size_t n = strlen(s) + 1;

	memcpy(p, s, n);
	return p + n;
}

int entry_encode(const struct entry_in *e, unsigned char *out, size_t size)
{
	unsigned char *p = out + ENTRY_HEADER_SIZE;

	p = put_string(p, e->proto);
	p = put_string(p, e->name);
	for (size_t i = 0; i < e->naliases; i++)
		p = put_string(p, e->aliases[i]);

	put_be32(out + 0, e->seq);
	put_be32(out + 4, e->line);
	put_be16(out + 8, e->source);
	put_be16(out + 10, e->port);   /* big-endian is network order */
	put_be32(out + ENTRY_NALIASES_AT, (uint32_t)e->naliases);
	put_be32(out + 16, (uint32_t)(p - out - ENTRY_HEADER_SIZE));
	return (size_t)(p - out) == size ? 0 : EINVAL;
}
