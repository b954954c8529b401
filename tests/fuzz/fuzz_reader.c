/* libFuzzer target: a database file behind its checksums.  Random bytes
 * changed in a database nearly always fail the seal (seal.h), and
 * fuzz_db never gets past portdb_open; this target's mutator seals
 * again what it mutated, so that the reader, the lookups, the enumeration
 * and the index probe meet damaged structure whose checksums match.
 *
 * Built without libFuzzer (replay.c), the mutator is compiled but never
 * called: LLVMFuzzerMutate is weak, and only libFuzzer defines it. */
#include <config.h>

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "db.h"
#include "fuzz_file.h"
#include "index.h"
#include "lmdb_reader.h"
#include "meta.h"
#include "seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size) __attribute__((weak));

/* At most this many entries are enumerated and looked up. */
#define MAX_ENTRIES 2048

static int get(const struct lmdb_reader *r, uint64_t key, const unsigned char **v, size_t *n)
{
	unsigned char k[KEY_SIZE];

	put_be64(k, key);
	return lmdb_reader_get(r, k, sizeof k, v, n);
}

/* The seal of the database at DATA (SIZE bytes) computed again and
 * written over the old one in place, where the file is still readable
 * that far: the checksum of each block of the index value, and the
 * metadata's, summed as portdb_open sums it (the header, then as many
 * source records as it names). */
static void reseal(uint8_t *data, size_t size)
{
	const unsigned char *index, *seal, *v;
	struct lmdb_reader r;
	struct portdb_meta m;
	struct checksum sum;
	size_t ilen, slen, n;

	if (lmdb_reader_open(&r, data, size, NULL, 0) != 0 ||
	    get(&r, key_index(), &index, &ilen) != 0 || get(&r, key_seal(), &seal, &slen) != 0 ||
	    slen != seal_size(ilen) ||
	    get(&r, key_meta(META_ID_HEADER), &v, &n) != 0 || meta_decode_header(v, n, &m) != 0)
		return;
	seal_meta_init(&sum);
	seal_meta_add(&sum, v, n);
	for (uint32_t i = 0; i < m.nsources && i <= 65536; i++) {
		if (get(&r, key_meta(META_ID_SOURCE0 + i), &v, &n) != 0)
			break;
		seal_meta_add(&sum, v, n);
	}
	/* the value lies in the buffer, which is the mutator's to write */
	seal_encode(data + (seal - data), index, ilen, checksum_final(&sum));
}

/* The value of KEY, as a writable part of DATA; NULL if unreadable. */
static uint8_t *value_at(uint8_t *data, size_t size, uint64_t key, size_t *len)
{
	const unsigned char *v;
	struct lmdb_reader r;

	if (lmdb_reader_open(&r, data, size, NULL, 0) != 0 || get(&r, key, &v, len) != 0 ||
	    *len == 0)
		return NULL;
	return data + (v - data);
}

/* libFuzzer's mutations, inside VALUE (LEN bytes) only: the LMDB
 * structure around it stays readable. */
static void mutate_inside(uint8_t *value, size_t len)
{
	uint8_t *tmp = malloc(len);
	size_t n;

	if (tmp == NULL)
		return;
	memcpy(tmp, value, len);
	n = LLVMFuzzerMutate(tmp, len, len);
	memcpy(value, tmp, n < len ? n : len);
	free(tmp);
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	const uint64_t others[] = { key_meta(META_ID_HEADER), key_meta(META_ID_SOURCE0),
				    key_seal() };
	uint8_t *v = NULL;
	size_t len = 0;

	/* Half the time inside the index value, where lookups read; an
	 * eighth inside the metadata or the seal; the rest anywhere (the
	 * LMDB pages too, and the file's size). */
	switch (seed % 8) {
	case 0: case 1: case 2: case 3:
		v = value_at(data, size, key_index(), &len);
		break;
	case 4:
		v = value_at(data, size, others[seed / 8 % 3], &len);
		break;
	}
	if (v != NULL)
		mutate_inside(v, len);
	else
		size = LLVMFuzzerMutate(data, size, max_size);
	/* One time in sixteen the seal stays as mutated: it is read too. */
	if (seed / 64 % 16 != 0)
		reseal(data, size);
	return size;
}

static int count_key(void *ctx, const unsigned char *key, size_t klen, const unsigned char *data,
		     size_t len)
{
	/* touch the bytes, so that ASan sees any read past the copy */
	*(unsigned long *)ctx += klen + len + (klen ? key[klen - 1] : 0) + (len ? data[len - 1] : 0);
	return 0;
}

/* The LMDB reader alone, on an exact-size copy. */
static void read_lmdb(const uint8_t *data, size_t size)
{
	/* the database's keys, and two that are not there */
	const uint64_t keys[] = { key_index(), key_meta(META_ID_HEADER), key_meta(META_ID_SOURCE0),
				  key_seal(), key_index() + 1, 0 };
	uint8_t *copy = malloc(size ? size : 1);
	struct lmdb_reader r;
	unsigned long sum = 0;

	if (copy == NULL)
		return;
	memcpy(copy, data, size);
	if (lmdb_reader_open(&r, copy, size, NULL, 0) == 0) {
		int rc = lmdb_reader_walk(&r, count_key, &sum);

		assert(rc == 0 || rc == EBADMSG);
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
			const unsigned char *v;
			size_t n;

			rc = get(&r, keys[i], &v, &n);
			assert(rc == 0 || rc == ENOENT || rc == EBADMSG);
			if (rc == 0)
				assert(v >= copy && n <= size && (size_t)(v - copy) <= size - n);
		}
	}
	free(copy);
}

/* An entry the database gave: it unpacks into a buffer of exactly the
 * size it says it needs, and not into one byte less (malloc's memory is
 * aligned as address 0 is). */
static void unpack(const struct entry_view *v)
{
	size_t need = entry_servent_size(v, 0);
	char *buf = malloc(need);
	struct servent s;

	if (buf == NULL)
		return;
	assert(entry_to_servent(v, &s, buf, need) == 0);
	assert(need == 0 || entry_to_servent(v, &s, buf, need - 1) == ERANGE);
	free(buf);
}

/* Q, asked: whatever comes back answers it. */
static void ask(const struct portdb *db, const struct query *q)
{
	struct entry_view v;
	int rc = portdb_find(db, q, &v);

	assert(rc == 0 || rc == ENOENT || rc == EBADMSG);
	if (rc == 0) {
		assert(query_matches(q, &v));
		unpack(&v);
	}
}

/* Every entry in file order (up to MAX_ENTRIES), and the questions it
 * answers, then a few that the seeds answer. */
static void query_all(const struct portdb *db)
{
	struct query q;

	for (uint32_t seq = 0; seq < portdb_entries(db) && seq < MAX_ENTRIES; seq++) {
		struct entry_view v;
		int rc = portdb_entry_at(db, seq, &v);

		assert(rc == 0 || rc == EBADMSG);
		if (rc != 0)
			continue;
		assert(v.seq == seq);
		unpack(&v);
		q = (struct query){ QUERY_NAME, v.name, strlen(v.name), 0, v.proto };
		ask(db, &q);
		q.proto = NULL;
		ask(db, &q);
		q = (struct query){ QUERY_PORT, NULL, 0, v.port_net, v.proto };
		ask(db, &q);
		q.proto = NULL;
		ask(db, &q);
	}
	q = (struct query){ QUERY_NAME, "ssh", 3, 0, "tcp" };
	ask(db, &q);
	q = (struct query){ QUERY_PORT, NULL, 0, htons(22), NULL };
	ask(db, &q);
	assert(portdb_entry_at(db, portdb_entries(db), &(struct entry_view){ 0 }) == ENOENT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	struct portdb *db;

	read_lmdb(data, size);
	if (fuzz_file_write("reader", data, size, path, sizeof path) != 0)
		return 0;
	if (portdb_open(path, 0, &db, NULL, 0) == 0) {
		query_all(db);
		portdb_close(db);
	}
	unlink(path);
	return 0;
}
