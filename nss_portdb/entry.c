/* Record decoding and unpacking: the reader's half of entry.h.  The
 * decoder treats its input as hostile: the module runs inside other
 * people's programs.  Encoding is in entry_write.c. */
#include <config.h>

#include "entry.h"
#include "bytes.h"

#include <assert.h>
#include <errno.h>
#include <stdalign.h>
#include <string.h>

size_t entry_decode(const void *data, size_t len, struct entry_view *out)
{
	const unsigned char *d = data;
	const char *p, *end;
	uint32_t strings;

	if (len < ENTRY_HEADER_SIZE)
		return 0;
	out->seq = get_be32(d + 0);
	out->line = get_be32(d + 4);
	out->source = get_be16(d + 8);
	memcpy(&out->port_net, d + 10, 2);
	out->naliases = get_be32(d + ENTRY_NALIASES_AT);
	out->blocklen = get_be32(d + ENTRY_BLOCKLEN_AT);
	if (out->blocklen > len - ENTRY_HEADER_SIZE)
		return 0;
	/* Every string takes at least its NUL. */
	if (out->naliases > out->blocklen || out->blocklen - out->naliases < 2)
		return 0;

	out->block = (const char *)d + ENTRY_HEADER_SIZE;
	end = out->block + out->blocklen;
	p = out->block;
	strings = out->naliases + 2;
	for (uint32_t i = 0; i < strings; i++) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		if (nul == NULL)
			return 0;
		if (i == 0)
			out->proto = p;
		else if (i == 1)
			out->name = p, out->name_len = (size_t)(nul - p);
		else if (i == 2)
			out->aliases = p;
		p = nul + 1;
	}
	if (p != end)
		return 0;
	if (out->naliases == 0)
		out->aliases = end;
	return ENTRY_HEADER_SIZE + out->blocklen;
}

size_t entry_servent_size(const struct entry_view *v, uintptr_t buf_addr)
{
	size_t pad = (alignof(char *) - buf_addr % alignof(char *)) % alignof(char *);

	/* decode bounded naliases by blocklen, so this cannot overflow on a
	 * 64-bit size_t; the check keeps 32-bit builds honest. */
	if (v->naliases >= (SIZE_MAX - pad - v->blocklen) / sizeof(char *))
		return SIZE_MAX;
	return pad + ((size_t)v->naliases + 1) * sizeof(char *) + v->blocklen;
}

int entry_to_servent(const struct entry_view *v, struct servent *result,
		     char *buf, size_t buflen)
{
	size_t need = entry_servent_size(v, (uintptr_t)buf);
	size_t pad = (alignof(char *) - (uintptr_t)buf % alignof(char *)) % alignof(char *);
	char **aliases;
	char *strings, *p;

	if (need > buflen)
		return ERANGE;
	aliases = (char **)(void *)(buf + pad);
	strings = (char *)(aliases + v->naliases + 1);
	memcpy(strings, v->block, v->blocklen);

	result->s_proto = strings;
	result->s_name = strings + (v->name - v->block);
	result->s_port = v->port_net;
	p = strings + (v->aliases - v->block);
	for (uint32_t i = 0; i < v->naliases; i++) {
		aliases[i] = p;
		p += strlen(p) + 1;
	}
	aliases[v->naliases] = NULL;
	result->s_aliases = aliases;
	/* What was filled is what entry_servent_size counted: the aliases
	 * end the block (entry_decode checked that), and the block ends the
	 * buffer's part. */
	assert((size_t)(p - buf) == need);
	return 0;
}

int entry_has_name(const struct entry_view *v, const char *name, size_t namelen)
{
	const char *p = v->name;
	const char *end = v->block + v->blocklen;

	/* The name first, whose length the decoder found: most questions
	 * ask for it.  The aliases follow it in the block. */
	if (v->name_len == namelen && memcmp(p, name, namelen) == 0)
		return 1;
	p += v->name_len + 1;
	for (uint32_t i = 0; i < v->naliases && p < end; i++) {
		size_t n = strlen(p);
		if (n == namelen && memcmp(p, name, n) == 0)
			return 1;
		p += n + 1;
	}
	return 0;
}
