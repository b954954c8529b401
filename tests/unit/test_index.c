/* Unit tests of the hash index: first-match semantics under collisions,
 * shadowing, and hostile tables. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "entry.h"
#include "index.h"
#include "writer.h"

/* A small set of records and an index over them. */
struct fixture {
	unsigned char records[4096];
	size_t offsets[16];
	size_t used;
	uint32_t n;
	struct index_plan plan;
	unsigned char *index;
	struct index_view view;
};

static void add(struct fixture *f, const char *name, uint16_t port, const char *proto,
		const char *alias)
{
	const char *aliases[1] = { alias };
	struct entry_in e = { .seq = f->n, .line = f->n + 1, .port = port, .proto = proto,
			      .name = name, .aliases = aliases, .naliases = alias ? 1 : 0 };

	size_t size;

	assert_int_equal(entry_encoded_size(&e, &size), 0);
	assert_int_equal(entry_encode(&e, f->records + f->used, size), 0);
	f->offsets[f->n++] = f->used;
	f->used += size;
}

static struct query name_q(const char *name, const char *proto)
{
	return (struct query){ .kind = QUERY_NAME, .name = name, .len = strlen(name), .proto = proto };
}

static struct query port_q(uint16_t port, const char *proto)
{
	return (struct query){ .kind = QUERY_PORT, .port_net = htons(port), .proto = proto };
}

/* Lay out the index with NSLOTS slots, empty; questions are put by the
 * tests themselves. */
static void layout(struct fixture *f, uint32_t questions)
{
	assert_int_equal(index_plan(&f->plan, f->n, f->used, questions), 0);
	f->index = malloc(f->plan.size);
	assert_non_null(f->index);
	index_layout(f->index, &f->plan, f->offsets, f->records);
	assert_int_equal(index_view_init(&f->view, f->index, f->plan.size, NULL), 0);
}

/* Size, lay out and fill the index with the writer's own functions, as
 * `portdb build` does: every question of every entry, in file order. */
static void build(struct fixture *f)
{
	struct entry_set set = { .arena = f->records, .used = f->used,
				 .offsets = f->offsets, .count = f->n };

	struct portdb_index_build b;

	assert_int_equal(portdb_index_plan(&set, &b), 0);
	f->plan = b.plan;
	f->index = malloc(f->plan.size);
	assert_non_null(f->index);
	portdb_index_fill(f->index, &b, &set);
	portdb_index_done(&b);
	assert_int_equal(index_view_init(&f->view, f->index, f->plan.size, NULL), 0);
}

static uint32_t find_seq(struct fixture *f, struct query q)
{
	struct entry_view v;
	int rc = index_find(&f->view, &q, &v);

	if (rc == ENOENT)
		return UINT32_MAX;
	assert_int_equal(rc, 0);
	return v.seq;
}

static void test_first_entry_wins(void **state)
{
	struct fixture f = { 0 };

	add(&f, "a", 1, "tcp", "x");
	add(&f, "a", 2, "tcp", NULL);     /* shadowed by name */
	add(&f, "b", 1, "tcp", NULL);     /* shadowed by port */
	add(&f, "x", 3, "udp", "a");      /* "a" first in udp here */
	add(&f, "c", 4, "", NULL);        /* empty protocol */
	build(&f);

	assert_int_equal(find_seq(&f, name_q("a", "tcp")), 0);
	assert_int_equal(find_seq(&f, name_q("a", NULL)), 0);
	assert_int_equal(find_seq(&f, name_q("a", "udp")), 3);
	assert_int_equal(find_seq(&f, name_q("x", NULL)), 0);     /* alias before name */
	assert_int_equal(find_seq(&f, name_q("x", "udp")), 3);
	assert_int_equal(find_seq(&f, name_q("b", NULL)), 2);
	assert_int_equal(find_seq(&f, port_q(1, "tcp")), 0);
	assert_int_equal(find_seq(&f, port_q(2, NULL)), 1);
	assert_int_equal(find_seq(&f, port_q(3, "tcp")), UINT32_MAX);
	assert_int_equal(find_seq(&f, name_q("c", "")), 4);
	assert_int_equal(find_seq(&f, name_q("c", "tcp")), UINT32_MAX);
	assert_int_equal(find_seq(&f, port_q(4, "")), 4);
	assert_int_equal(find_seq(&f, name_q("nosuch", NULL)), UINT32_MAX);
	free(f.index);
}

/* Put a slot by hand: CHECK and record OFFSET at slot I. */
static void put_slot(struct fixture *f, uint32_t i, uint32_t check, uint32_t offset)
{
	unsigned char *slot = f->index + INDEX_HEADER_SIZE + (size_t)i * 8;

	put_be32(slot, check);
	put_be32(slot + 4, offset);
}

/* The writer's question for the test below: does the record at OFF
 * answer "wanted"/tcp? */
static int answers_wanted(void *ctx, uint32_t off)
{
	struct fixture *f = ctx;
	struct query q = name_q("wanted", "tcp");
	struct entry_view v;

	return entry_decode(f->records + off, f->used - off, &v) != 0 && query_matches(&q, &v);
}

/* A full 64-bit collision: another entry sits in the question's home
 * slot with the question's own check.  The reader must verify the record
 * and go on probing. */
static void test_full_collision_is_verified(void **state)
{
	struct fixture f = { 0 };
	struct query q = name_q("wanted", "tcp");
	uint64_t h = query_hash(&q);
	uint32_t home, check = (uint32_t)h;

	add(&f, "other", 7, "tcp", NULL);
	add(&f, "wanted", 8, "tcp", NULL);
	layout(&f, 4);
	home = (uint32_t)(h >> 32) & f.view.mask;
	put_slot(&f, home, check, (uint32_t)f.offsets[0]);
	put_slot(&f, (home + 1) & f.view.mask, check, (uint32_t)f.offsets[1]);
	assert_int_equal(find_seq(&f, q), 1);
	/* the writer, too, sees past the impostor and adds nothing new */
	index_insert(f.index, &f.plan, h, (uint32_t)f.offsets[1], answers_wanted, &f);
	assert_int_equal(get_be32(f.index + INDEX_HEADER_SIZE + ((home + 2) & f.view.mask) * 8 + 4),
			 INDEX_EMPTY);
	free(f.index);
}

/* Two different names whose questions (NAME, "tcp") share a check and a
 * home slot in a table of 16: found by a birthday search over
 * "c0", "c1", ... (about 2^18 tries for 36 bits). */
static void colliding_names(char a[16], char b[16])
{
	enum { TABLE = 1u << 21 };
	uint32_t *seen = calloc(TABLE, sizeof *seen);   /* try number + 1 */

	assert_non_null(seen);
	for (uint32_t i = 0; i < TABLE / 2; i++) {
		char name[16];
		struct query q;
		uint64_t h, key;
		uint32_t t;

		snprintf(name, sizeof name, "c%u", i);
		q = name_q(name, "tcp");
		h = query_hash(&q);
		key = (uint32_t)h | (h >> 32 & 15) << 32;
		for (t = (uint32_t)(key * 0x9e3779b97f4a7c15ULL >> 41) & (TABLE - 1);
		     seen[t] != 0; t = (t + 1) & (TABLE - 1)) {
			struct query p;
			uint64_t g;

			snprintf(a, 16, "c%u", seen[t] - 1);
			p = name_q(a, "tcp");
			g = query_hash(&p);
			if (((uint32_t)g | (g >> 32 & 15) << 32) == key) {
				strcpy(b, name);
				free(seen);
				return;
			}
		}
		seen[t] = i + 1;
	}
	fail_msg("no collision found");
}

/* The writer's own loop when a later, different question meets an
 * earlier one's slot with the same check: it must look at the record,
 * see that it does not answer, and go on to a slot of its own. */
static void test_writer_sees_past_a_check_collision(void **state)
{
	struct fixture f = { 0 };
	char a[16], b[16];

	colliding_names(a, b);
	add(&f, a, 1, "tcp", NULL);
	add(&f, b, 2, "tcp", NULL);
	build(&f);
	assert_int_equal(f.plan.nslots, 16);   /* the table the search assumed */
	assert_int_equal(find_seq(&f, name_q(a, "tcp")), 0);
	assert_int_equal(find_seq(&f, name_q(b, "tcp")), 1);
	free(f.index);
}

/* A table with no empty slot and no match must end, not spin. */
static void test_full_table_terminates(void **state)
{
	struct fixture f = { 0 };

	add(&f, "a", 1, "tcp", NULL);
	layout(&f, 4);
	for (uint32_t i = 0; i <= f.view.mask; i++)
		put_slot(&f, i, 0, (uint32_t)f.offsets[0]);
	assert_int_equal(find_seq(&f, name_q("zzz", NULL)), UINT32_MAX);
	free(f.index);
}

static void test_bad_offsets_rejected(void **state)
{
	struct fixture f = { 0 };
	struct query q = name_q("a", NULL);
	uint64_t h = query_hash(&q);
	struct entry_view v;

	add(&f, "a", 1, "tcp", NULL);
	layout(&f, 4);
	put_slot(&f, (uint32_t)(h >> 32) & f.view.mask, (uint32_t)h, (uint32_t)f.used);
	assert_int_equal(index_find(&f.view, &q, &v), EBADMSG);
	put_slot(&f, (uint32_t)(h >> 32) & f.view.mask, (uint32_t)h, 3);   /* mid-record */
	assert_int_equal(index_find(&f.view, &q, &v), EBADMSG);
	/* the entry table must point at the entry with that position */
	put_be32(f.index + INDEX_HEADER_SIZE + (size_t)f.plan.nslots * 8, 3);
	assert_int_equal(index_entry_at(&f.view, 0, &v), EBADMSG);
	free(f.index);
}

static void test_header_checked_against_length(void **state)
{
	struct fixture f = { 0 };
	struct index_view v;

	add(&f, "a", 1, "tcp", NULL);
	layout(&f, 4);
	assert_int_equal(index_view_init(&v, f.index, f.plan.size - 1, NULL), EBADMSG);
	assert_int_equal(index_view_init(&v, f.index, f.plan.size + 1, NULL), EBADMSG);
	assert_int_equal(index_view_init(&v, f.index, 15, NULL), EBADMSG);
	put_be32(f.index, f.plan.nslots + 1);          /* not a power of two */
	assert_int_equal(index_view_init(&v, f.index, f.plan.size, NULL), EBADMSG);
	put_be32(f.index, f.plan.nslots);
	put_be32(f.index + 4, 0xffffffff);              /* entries beyond the end */
	assert_int_equal(index_view_init(&v, f.index, f.plan.size, NULL), EBADMSG);
	free(f.index);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_entry_wins),
		cmocka_unit_test(test_full_collision_is_verified),
		cmocka_unit_test(test_writer_sees_past_a_check_collision),
		cmocka_unit_test(test_full_table_terminates),
		cmocka_unit_test(test_bad_offsets_rejected),
		cmocka_unit_test(test_header_checked_against_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
