/* The key layout of the database.  Every key is 8 bytes, big-endian, so
 * byte order is numeric order: a tag byte, then 7 bytes.
 *
 *   'E' 0 0 0 seq32         an entry, in file order (getservent)
 *   'M' 0 ... id            metadata (see meta.h)
 *   'N' hash56(name, proto) first entry with that name/alias and protocol
 *   'n' hash56(name)        first entry with that name/alias, any protocol
 *   'P' hash56(port, proto) first entry with that port and protocol
 *   'p' hash56(port)        first entry with that port, any protocol
 *
 * Index values hold the whole record (no second read).  Two different
 * keys whose hashes collide share one value holding both records, in file
 * order; readers verify the record against the key, so a name of any
 * length is found although LMDB keys are limited to 511 bytes. */
#ifndef PORTDB_KEYS_H
#define PORTDB_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define KEY_SIZE 8

enum key_tag {
	KEY_ENTRY = 'E',
	KEY_META = 'M',
	KEY_NAME_PROTO = 'N',
	KEY_PORT_PROTO = 'P',
	KEY_NAME = 'n',
	KEY_PORT = 'p',
};

/* The 64-bit key as a number; its big-endian bytes are the LMDB key. */
uint64_t key_entry(uint32_t seq);
uint64_t key_meta(uint32_t id);
uint64_t key_name(const char *name, size_t len, const char *proto);
uint64_t key_port(uint16_t port_net, const char *proto);

#endif
