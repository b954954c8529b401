/* Decoding of the metadata records: the reader's half of meta.h
 * (encoding is in meta_write.c). */
#include <config.h>

#include "meta.h"
#include "bytes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int meta_decode_header(const void *data, size_t len, struct portdb_meta *m)
{
	const unsigned char *d = data;

	if (len < 12 || memcmp(d, PORTDB_MAGIC, 8) != 0)
		return EBADMSG;
	m->version = get_be32(d + 8);
	if (m->version != PORTDB_FORMAT_VERSION)
		return EPROTO;
	if (len != META_HEADER_SIZE)
		return EBADMSG;
	m->flags = get_be32(d + 12);
	m->entries = get_be32(d + 16);
	m->skipped = get_be32(d + 20);
	m->build_time = get_be64(d + 24);
	m->nsources = get_be32(d + 32);
	m->sources = NULL;
	return 0;
}

int meta_decode_source(const void *data, size_t len, struct portdb_source *s)
{
	const unsigned char *d = data;
	size_t n;

	if (len <= META_SOURCE_FIXED)
		return EBADMSG;
	n = len - META_SOURCE_FIXED;
	if (memchr(d + META_SOURCE_FIXED, '\0', n) != NULL)
		return EBADMSG;
	s->path = malloc(n + 1);
	if (s->path == NULL)
		return ENOMEM;
	memcpy(s->path, d + META_SOURCE_FIXED, n);
	s->path[n] = '\0';
	s->dev = get_be64(d + 0);
	s->ino = get_be64(d + 8);
	s->size = get_be64(d + 16);
	s->mtime_sec = (int64_t)get_be64(d + 24);
	s->mtime_nsec = get_be32(d + 32);
	s->entries = get_be32(d + 36);
	s->content = 0;
	return 0;
}

void meta_free(struct portdb_meta *m)
{
	if (m->sources != NULL) {
		for (uint32_t i = 0; i < m->nsources; i++)
			free(m->sources[i].path);
		free(m->sources);
	}
	m->sources = NULL;
	m->nsources = 0;
}
