/* The database file, all of it: the one place that says what the bytes
 * are.  Every other header of the core includes this one and adds only
 * the code that reads or writes a part.
 *
 * The file is a plain LMDB file (one unnamed database, written by
 * liblmdb through `portdb build`, read by lmdb_reader.h).  It holds a
 * handful of keys, 8 bytes each, big-endian so that byte order is
 * numeric order: a tag byte, then 7 bytes.
 *
 *   'I' 0 ... 0     the index: hash table, entry table and records
 *   'M' 0 ... id    the metadata: the header (id 1), then source i (2+i)
 *   'S' 0 ... 0     the seal: checksums of the others; it sorts last, so
 *                   the writer appends it when it knows the rest
 *
 * Every integer in every value is big-endian.  A reader accepts exactly
 * PORTDB_FORMAT_VERSION and treats every byte as hostile.
 */
#ifndef PORTDB_FORMAT_H
#define PORTDB_FORMAT_H

/* 2: the seal replaced a trailer after LMDB's pages. */
#define PORTDB_FORMAT_VERSION 2u

/* ---------------------------------------------------------------- keys */
#define KEY_SIZE 8
enum key_tag {
	KEY_INDEX = 'I',
	KEY_META = 'M',
	KEY_SEAL = 'S',
};

/* ------------------------------------------------------------ metadata
 * 'M' 1, the header:
 *    0 magic[8]  8 u32 version  12 u32 flags  16 u32 entries
 *   20 u32 skipped  24 u64 build time (seconds since the epoch)
 *   32 u32 sources
 * 'M' 2+i, source i:
 *    0 u64 dev  8 u64 ino  16 u64 size  24 u64 mtime_sec
 *   32 u32 mtime_nsec  36 u32 entries  40 path (to the end, no NUL)
 * An entry names its source in 16 bits: at most 65536 sources. */
#define PORTDB_MAGIC "PORTDB\n"   /* 8 bytes with its NUL */
#define PORTDB_FLAG_OVERFLOW_DROP 0x1u  /* ports > 4294967295 dropped (Debian) */
#define META_ID_HEADER 1u
#define META_HEADER_SIZE 36u
#define META_ID_SOURCE0 2u
#define META_SOURCE_FIXED 40u
#define META_MAX_SOURCES 65536u

/* ------------------------------------------------------------- records
 * One services entry; the port in network order:
 *    0 u32 seq       position in file order, from 0 (getservent order)
 *    4 u32 line      line number in its source file, from 1
 *    8 u16 source    index of the source file (metadata)
 *   10 u16 port      network byte order, as s_port wants it
 *   12 u32 naliases
 *   16 u32 blocklen  length of the string block that follows
 *   20 block         proto NUL name NUL alias NUL ... (2 + naliases strings)
 * Records lie back to back in the index, ordered by seq. */
#define ENTRY_HEADER_SIZE 20u
#define ENTRY_NALIASES_AT 12u
#define ENTRY_BLOCKLEN_AT 16u

/* --------------------------------------------------------------- index
 * The 'I' value:
 *    0 u32 nslots       a power of two
 *    4 u32 nentries
 *    8 u64 records_len
 *   16 slots[nslots]    u32 check, u32 record offset (INDEX_EMPTY: empty)
 *      seq[nentries]    u32 record offset of the entry at each position
 *      records          the records, in file order
 * A slot holds one question (by name or by port, with a protocol or any)
 * and the record of the first entry that answers it, as glibc's scan of
 * the text would find it.  A question hashes to 64 bits (keys.h): the
 * high half picks the home slot, the low half is the check.  Lookups
 * probe linearly from the home slot to the first empty one and return
 * the first record whose check matches and which answers the question;
 * the writer inserts in file order with the same probe, so that first
 * record is the earliest entry that answers (index.c). */
#define INDEX_HEADER_SIZE 16u
#define INDEX_SLOT_SIZE 8u
#define INDEX_EMPTY 0xffffffffu

/* ---------------------------------------------------------------- seal
 * The 'S' value:
 *    0 u32 block size (SEAL_BLOCK, a power of two)
 *    4 u32 number of blocks of the index
 *    8 u64 length of the index value
 *   16 u64 checksum of the metadata: each 'M' value in key order, as its
 *      length (u32) and its bytes, seeded with 0
 *   24 u64 checksum of block i of the index, seeded with i, for each i
 * The index is cut into blocks of SEAL_BLOCK bytes (the last may be
 * shorter).  Checksums are checksum.h's 64-bit hash. */
#define SEAL_BLOCK 4096u
#define SEAL_HEADER_SIZE 24u

#endif
