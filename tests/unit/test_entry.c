/* Unit tests of the record encoding and of the packing into a caller's
 * buffer: round trip, hostile records, and the buffer-size sweep. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "keys.h"

static const char *const three_aliases[] = { "www", "www-http", "h" };

static unsigned char *encode(const struct entry_in *e, size_t *len)
{
	unsigned char *buf;

	assert_int_equal(entry_encoded_size(e, len), 0);
	assert_true(*len >= ENTRY_HEADER_SIZE);
	buf = malloc(*len);
	assert_non_null(buf);
	assert_int_equal(entry_encode(e, buf, *len), 0);   /* ends where sized */
	return buf;
}

static const struct entry_in http = {
	.seq = 7, .line = 42, .source = 3, .port = 80, .proto = "tcp",
	.name = "http", .aliases = three_aliases, .naliases = 3,
};

static void test_round_trip(void **state)
{
	struct entry_view v;
	size_t len;
	unsigned char *buf = encode(&http, &len);

	assert_int_equal(entry_decode(buf, len, &v), len);
	assert_int_equal(v.seq, 7);
	assert_int_equal(v.line, 42);
	assert_int_equal(v.source, 3);
	assert_int_equal(ntohs(v.port_net), 80);
	assert_string_equal(v.proto, "tcp");
	assert_string_equal(v.name, "http");
	assert_int_equal(v.naliases, 3);
	assert_string_equal(v.aliases, "www");
	assert_true(entry_has_name(&v, "http", 4));
	assert_true(entry_has_name(&v, "www-http", 8));
	assert_true(entry_has_name(&v, "h", 1));
	assert_false(entry_has_name(&v, "tcp", 3));   /* the protocol is no name */
	assert_false(entry_has_name(&v, "ww", 2));
	free(buf);
}

static void test_round_trip_empty_strings(void **state)
{
	struct entry_in e = { .port = 0, .proto = "", .name = "x", .naliases = 0 };
	struct entry_view v;
	size_t len;
	unsigned char *buf = encode(&e, &len);

	assert_int_equal(entry_decode(buf, len, &v), len);
	assert_string_equal(v.proto, "");
	assert_string_equal(v.name, "x");
	assert_int_equal(v.naliases, 0);
	free(buf);
}

/* Every truncation of a valid record is rejected, never read past. */
static void test_truncated_rejected(void **state)
{
	struct entry_view v;
	size_t len;
	unsigned char *buf = encode(&http, &len);

	for (size_t n = 0; n < len; n++) {
		unsigned char *copy = malloc(n ? n : 1);
		memcpy(copy, buf, n);
		assert_int_equal(entry_decode(copy, n, &v), 0);
		free(copy);
	}
	free(buf);
}

static void test_malformed_rejected(void **state)
{
	struct entry_view v;
	size_t len;
	unsigned char *buf = encode(&http, &len);
	unsigned char *bad = malloc(len);

	/* more aliases than strings */
	memcpy(bad, buf, len);
	bad[15] = 4;
	assert_int_equal(entry_decode(bad, len, &v), 0);
	/* fewer aliases than strings: the block has a string left over */
	memcpy(bad, buf, len);
	bad[15] = 2;
	assert_int_equal(entry_decode(bad, len, &v), 0);
	/* a block longer than the value */
	memcpy(bad, buf, len);
	bad[19] += 1;
	assert_int_equal(entry_decode(bad, len, &v), 0);
	/* a huge alias count cannot overflow the size arithmetic */
	memcpy(bad, buf, len);
	bad[12] = bad[13] = bad[14] = bad[15] = 0xff;
	assert_int_equal(entry_decode(bad, len, &v), 0);
	/* the last string without its NUL */
	memcpy(bad, buf, len);
	bad[len - 1] = 'x';
	assert_int_equal(entry_decode(bad, len, &v), 0);
	free(bad);
	free(buf);
}

/* Every buffer size from 0 up either fits or says ERANGE, writes nothing
 * outside the buffer, and gives an aligned alias array, at every
 * alignment of the buffer's start. */
static void test_buffer_size_sweep(void **state)
{
	enum { GUARD = 32 };
	struct entry_view v;
	size_t len;
	unsigned char *rec = encode(&http, &len);

	assert_int_equal(entry_decode(rec, len, &v), len);
	for (size_t offset = 0; offset < alignof(char *); offset++) {
		size_t fits_from = SIZE_MAX;
		for (size_t size = 0; size < 256; size++) {
			unsigned char *area = malloc(GUARD + offset + size + GUARD);
			char *buf = (char *)area + GUARD + offset;
			struct servent s;
			int rc;

			memset(area, 0xa5, GUARD + offset + size + GUARD);
			rc = entry_to_servent(&v, &s, buf, size);
			for (size_t i = 0; i < GUARD + offset; i++)
				assert_int_equal(area[i], 0xa5);
			for (size_t i = 0; i < GUARD; i++)
				assert_int_equal((unsigned char)buf[size + i], 0xa5);
			if (rc == ERANGE) {
				assert_true(fits_from == SIZE_MAX);   /* no fit, then no fit */
				for (size_t i = 0; i < size; i++)
					assert_int_equal((unsigned char)buf[i], 0xa5);
			} else {
				assert_int_equal(rc, 0);
				if (fits_from == SIZE_MAX)
					fits_from = size;
				assert_int_equal((uintptr_t)s.s_aliases % alignof(char *), 0);
				assert_string_equal(s.s_name, "http");
				assert_string_equal(s.s_proto, "tcp");
				assert_int_equal(s.s_port, htons(80));
				assert_string_equal(s.s_aliases[0], "www");
				assert_string_equal(s.s_aliases[1], "www-http");
				assert_string_equal(s.s_aliases[2], "h");
				assert_null(s.s_aliases[3]);
				for (char **a = s.s_aliases; *a; a++)
					assert_true(*a >= buf && *a < buf + size);
				assert_true(s.s_name >= buf && s.s_name < buf + size);
			}
			free(area);
		}
		/* The smallest size that fits is exactly what the record needs. */
		size_t pad = (alignof(char *) - offset % alignof(char *)) % alignof(char *);
		assert_int_equal(fits_from, pad + 4 * sizeof(char *) + v.blocklen);
	}
	free(rec);
}

static uint64_t hash_name(const char *name, const char *proto)
{
	struct query q = { .kind = QUERY_NAME, .name = name, .len = strlen(name), .proto = proto };
	return query_hash(&q);
}

static uint64_t hash_port(uint16_t port, const char *proto)
{
	struct query q = { .kind = QUERY_PORT, .port_net = htons(port), .proto = proto };
	return query_hash(&q);
}

/* The hash is part of the file format (it places every question in the
 * index), so it is pinned by known answers.  The values were computed
 * outside this code, from the definition in keys.c: FNV-1a 64 over a tag
 * byte ('n' by name, 'p' by port, each minus 32 with a protocol), the
 * name's bytes or the port's two bytes in network order, then a NUL and
 * the protocol if there is one; then MurmurHash3's 64-bit finaliser.
 * Different questions may collide (the reader checks every candidate);
 * what must not happen is a hash that differs from this definition, or
 * that depends on the host's byte order. */
static void test_query_hash_known_answers(void **state)
{
	assert_true(hash_name("ssh", "tcp") == 0x67878b5ad97281e2ULL);
	assert_true(hash_name("ssh", NULL) == 0xeedb673837e8a04fULL);
	assert_true(hash_name("", "") == 0x64f27ed298f7c3abULL);
	assert_true(hash_name("domain", "udp") == 0x1ca3bb45f0cbbadaULL);
	assert_true(hash_port(22, "tcp") == 0x991ef80ee61b9d92ULL);
	assert_true(hash_port(80, NULL) == 0x95136c1f0e797cc3ULL);
	assert_true(hash_port(0, "") == 0xa429c80f3948afc9ULL);
	assert_true(hash_port(65535, "sctp") == 0xff5c6d3819f817bbULL);
	/* only LEN bytes of the name count */
	struct query q = { .kind = QUERY_NAME, .name = "sshd", .len = 3, .proto = "tcp" };
	assert_true(query_hash(&q) == 0x67878b5ad97281e2ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_empty_strings),
		cmocka_unit_test(test_truncated_rejected),
		cmocka_unit_test(test_malformed_rejected),
		cmocka_unit_test(test_buffer_size_sweep),
		cmocka_unit_test(test_query_hash_known_answers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
