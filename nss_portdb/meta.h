/* The database's description of itself: format, counts, and the source
 * files it was built from (for staleness).  Stored under 'M' keys; the
 * layout is in format.h. */
/* Errors: a function returning int returns 0 or a positive errno;
 * meta_encode_source and meta_source_size return sizes. */
#ifndef PORTDB_META_H
#define PORTDB_META_H

#include <stddef.h>
#include <stdint.h>

#include "format.h"

struct portdb_source {
	char *path;
	uint64_t dev, ino, size;
	int64_t mtime_sec;
	uint32_t mtime_nsec;
	uint32_t entries;
	/* In memory only, never encoded: the checksum of the bytes read (of
	 * a directory, of its drop-in names), for the builder's check that
	 * nothing changed within one timestamp tick (collect.h). */
	uint64_t content;
};

struct portdb_meta {
	uint32_t version;
	uint32_t flags;
	uint32_t entries;
	uint32_t skipped;
	uint64_t build_time;
	uint32_t nsources;
	struct portdb_source *sources;
};

void meta_encode_header(const struct portdb_meta *m, unsigned char out[META_HEADER_SIZE]);
/* @return 0, or EBADMSG / EPROTO (another format version). */
int meta_decode_header(const void *data, size_t len, struct portdb_meta *m);
size_t meta_encode_source(const struct portdb_source *s, unsigned char *out);
size_t meta_source_size(const struct portdb_source *s);
/* @return 0, EBADMSG, or ENOMEM (the path is copied). */
int meta_decode_source(const void *data, size_t len, struct portdb_source *s);
void meta_free(struct portdb_meta *m);

#endif
