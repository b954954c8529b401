/* The database's description of itself: format, counts, and the source
 * files it was built from (for staleness).  Stored under 'M' keys. */
#ifndef PORTDB_META_H
#define PORTDB_META_H

#include <stddef.h>
#include <stdint.h>

#define PORTDB_MAGIC "PORTDB\n"   /* 8 bytes with its NUL */
/* 2: the seal (seal.h) replaced a trailer after LMDB's pages. */
#define PORTDB_FORMAT_VERSION 2u

/* Flags recorded in the header. */
#define PORTDB_FLAG_OVERFLOW_DROP 0x1u  /* ports > 4294967295 dropped (Debian) */

/* 'M' 1: the header.
 *   0 magic[8]  8 u32 version  12 u32 flags  16 u32 entries  20 u32 skipped
 *  24 u64 build time (seconds since the epoch)  32 u32 sources */
#define META_ID_HEADER 1u
#define META_HEADER_SIZE 36u

/* 'M' 2+i: source i.
 *   0 u64 dev  8 u64 ino  16 u64 size  24 u64 mtime_sec  32 u32 mtime_nsec
 *  36 u32 entries  40 path (to the end, no NUL) */
#define META_ID_SOURCE0 2u
#define META_SOURCE_FIXED 40u

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
