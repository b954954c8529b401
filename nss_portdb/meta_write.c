/* Encoding of the metadata records: the writer's half of meta.h. */
#include <config.h>

#include "meta.h"
#include "bytes.h"

#include <string.h>

void meta_encode_header(const struct portdb_meta *m, unsigned char out[META_HEADER_SIZE])
{
	memcpy(out, PORTDB_MAGIC, 8);
	put_be32(out + 8, m->version);
	put_be32(out + 12, m->flags);
	put_be32(out + 16, m->entries);
	put_be32(out + 20, m->skipped);
	put_be64(out + 24, m->build_time);
	put_be32(out + 32, m->nsources);
}

size_t meta_source_size(const struct portdb_source *s)
{
	return META_SOURCE_FIXED + strlen(s->path);
}

size_t meta_encode_source(const struct portdb_source *s, unsigned char *out)
{
	size_t n = strlen(s->path);

	put_be64(out + 0, s->dev);
	put_be64(out + 8, s->ino);
	put_be64(out + 16, s->size);
	put_be64(out + 24, (uint64_t)s->mtime_sec);
	put_be32(out + 32, s->mtime_nsec);
	put_be32(out + 36, s->entries);
	memcpy(out + META_SOURCE_FIXED, s->path, n);
	return META_SOURCE_FIXED + n;
}
