/* The bounded LMDB reader (lmdb_reader.h) against liblmdb itself: on
 * every database `portdb build` can write, the reader gives the same keys
 * and values as liblmdb's cursor, in the same order; on a file that is
 * damaged, forged or truncated it refuses or still gives the same bytes,
 * and it never reads outside the file.  The 32-bit layout comes from a
 * committed fixture, the big-endian one from a converter here. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect.h"
#include "db.h"
#include "lmdb_check.h"
#include "lmdb_reader.h"
#include "writer.h"

static const char *srcdir;

/* ----------------------------------------------------------- databases */

static int host_big_endian(void)
{
	const uint16_t one = 1;

	return *(const unsigned char *)&one == 0;
}

/* Publish the sources PATHS (N of them, read as FORMAT) to OUT. */
static void publish(const char *const *paths, size_t n, enum svc_format format, const char *out)
{
	struct collect_opts opts = { .format = format };
	struct entry_set set = { 0 };
	char err[512];

	for (size_t i = 0; i < n; i++)
		if (entry_set_add_source(&set, paths[i], &opts, err, sizeof err) != 0)
			fail_msg("%s", err);
	if (portdb_publish(&set, out, err, sizeof err) != 0)
		fail_msg("publish: %s", err);
	entry_set_free(&set);
}

/* The database of the one source PATH, at DIR/NAME. */
static void publish_one(const char *path, enum svc_format format, const char *name,
			char *out, size_t len)
{
	check_path(out, len, name);
	publish(&path, 1, format, out);
}

/* The reader's description of the database at PATH and liblmdb's
 * listing of it agree, and the reader reads the same bytes.  R receives
 * the reader's description. */
static void differential(const char *path, struct lmdb_reader *r)
{
	struct listing want;
	struct file f = map_file(path);
	char why[256] = "";

	assert_int_equal(liblmdb_list(path, &want), 0);
	if (lmdb_reader_open(r, f.data, f.size, why, sizeof why) != 0)
		fail_msg("%s: %s", path, why);
	assert_int_equal(r->word, sizeof(void *));
	assert_int_equal(r->big_endian, host_big_endian());
	assert_int_equal(r->depth, want.depth);
	assert_int_equal(r->entries, want.entries);
	assert_int_equal(r->entries, want.n);
	assert_reader_matches(r, &want);
	listing_free(&want);
	unmap_file(&f);
	r->map = NULL;   /* gone with the map */
}

/* data/edge-services in the source tree. */
static void edge_services(char *out, size_t len)
{
	snprintf(out, len, "%s/data/edge-services", srcdir);
}

static void test_etc_services(void **state)
{
	struct lmdb_reader r;
	char db[300];

	if (access("/etc/services", R_OK) != 0)
		skip();
	publish_one("/etc/services", SVC_FORMAT_SERVICES, "etc.lmdb", db, sizeof db);
	differential(db, &r);
}

static void test_edge_services(void **state)
{
	struct lmdb_reader r;
	char src[300], db[300];

	edge_services(src, sizeof src);
	publish_one(src, SVC_FORMAT_SERVICES, "edge.lmdb", db, sizeof db);
	differential(db, &r);
}

/* The IANA registry as Wireshark ships it, read as
 * `portdb build --format=wireshark` reads it. */
static void test_iana_registry(void **state)
{
	const char *src = "/usr/share/wireshark/services";
	struct lmdb_reader r;
	char db[300];

	if (access(src, R_OK) != 0)
		skip();
	publish_one(src, SVC_FORMAT_WIRESHARK, "iana.lmdb", db, sizeof db);
	differential(db, &r);
	assert_true(r.entries >= 3);
}

/* Many sources: a metadata record each, so many keys that the main tree
 * has branch pages. */
#define MANY_SOURCES 300
static void publish_many(char *out, size_t len)
{
	static char paths[MANY_SOURCES][300];
	const char *p[MANY_SOURCES];

	for (int i = 0; i < MANY_SOURCES; i++) {
		FILE *f;

		snprintf(paths[i], sizeof paths[i], "%s/source-%03d", check_dir, i);
		f = fopen(paths[i], "we");
		assert_non_null(f);
		fprintf(f, "svc%d %d/tcp alias%d\nsvc%d %d/udp\n", i, 1000 + i, i, i, 1000 + i);
		assert_int_equal(fclose(f), 0);
		p[i] = paths[i];
	}
	check_path(out, len, "many.lmdb");
	publish(p, MANY_SOURCES, SVC_FORMAT_SERVICES, out);
}

static void test_many_sources_branch_pages(void **state)
{
	struct lmdb_reader r;
	char db[300];

	publish_many(db, sizeof db);
	differential(db, &r);
	assert_true(r.depth >= 2);
	assert_int_equal(r.entries, MANY_SOURCES + 3);
}

/* A large database, generated: 1,000,000 entries, the size the benchmark
 * goes to (about 4.5 s, 8.5 s under the sanitizers). */
static void test_large_synthetic(void **state)
{
	const unsigned n = 1000000;
	struct lmdb_reader r;
	char src[300], db[300];
	FILE *f;

	snprintf(src, sizeof src, "%s/large-services", check_dir);
	f = fopen(src, "we");
	assert_non_null(f);
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "s%07u %u/%s a%u%s\n", i, i % 65535 + 1, i % 3 ? "tcp" : "udp", i * 7919,
			i % 5 ? "" : " extra-alias");
	assert_int_equal(fclose(f), 0);
	publish_one(src, SVC_FORMAT_SERVICES, "large.lmdb", db, sizeof db);
	unlink(src);
	differential(db, &r);
	unlink(db);
}

/* -------------------------------------------------------------- corpus */

/* What liblmdb made of the files of the fuzz corpus. */
struct corpus_count {
	unsigned listed, refused, crashed;
};

/* A file of the fuzz corpus: whatever liblmdb makes of it without
 * crashing, the reader refuses it or reads the same.  Where liblmdb
 * crashes or refuses, the reader must still not crash. */
static void check_corpus_file(const char *path, struct corpus_count *count)
{
	struct listing want, got;
	struct lmdb_reader r;
	struct file f = map_file(path);
	struct guarded g;
	int crashed = liblmdb_list(path, &want), rc, opened;

	guarded_copy(&g, f.data, f.size);
	unmap_file(&f);
	rc = lmdb_reader_open(&r, g.data, g.size, NULL, 0);
	assert_true(rc == 0 || rc == EBADMSG);
	opened = rc == 0;
	if (opened) {
		rc = reader_list(&r, &got);
		assert_true(rc == 0 || rc == EBADMSG);
		if (rc == 0 && !crashed && want.rc == 0)
			assert_same_listing(&want, &got);
		listing_free(&got);
	}
	if (crashed) {
		print_message("liblmdb crashed on %s: not compared\n", path);
		count->crashed++;
	} else if (want.rc != 0) {
		count->refused++;
	} else {
		count->listed++;
	}
	for (size_t i = 0; !crashed && opened && i < want.n; i++) {
		const unsigned char *v;
		size_t n;

		rc = lmdb_reader_get(&r, want.p[i].key, want.p[i].klen, &v, &n);
		if (!want.p[i].get_agrees)
			continue;   /* liblmdb does not agree with itself */
		if (rc != EBADMSG && (rc != 0 || !same_bytes(want.p[i].val, want.p[i].vlen, v, n)))
			fail_msg("%s: key %zu: %d, or other bytes than liblmdb's", path, i, rc);
	}
	if (!crashed && opened)
		check_absent_keys(&r, &want, 0);
	listing_free(&want);
	guarded_free(&g);
}

static void test_fuzz_corpus(void **state)
{
	char path[700], cdir[400];
	struct corpus_count count = { 0 };
	struct dirent *e;
	DIR *d;

	snprintf(cdir, sizeof cdir, "%s/tests/fuzz/corpus/db", srcdir);
	d = opendir(cdir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", cdir, e->d_name);
		check_corpus_file(path, &count);
	}
	closedir(d);
	print_message("corpus: liblmdb listed %u files, refused %u, crashed on %u\n",
		      count.listed, count.refused, count.crashed);
	/* liblmdb reads only the layout of its own word size: on amd64 the
	 * two 64-bit seeds, on i386 the i386 one. */
	assert_true(count.listed >= (sizeof(size_t) == 8 ? 2 : 1));
}

/* ---------------------------------------------------------- forgeries */

/* The database at PATH, forged and truncated (check_damage). */
static void check_damage_of(const char *path)
{
	struct listing want;
	struct file f;

	assert_int_equal(liblmdb_list(path, &want), 0);
	f = map_file(path);
	check_damage(f.data, f.size, &want);
	unmap_file(&f);
	listing_free(&want);
}

static void test_edge_forged_and_truncated(void **state)
{
	char src[300], db[300];

	edge_services(src, sizeof src);
	publish_one(src, SVC_FORMAT_SERVICES, "edge.lmdb", db, sizeof db);
	check_damage_of(db);
}

static void test_branch_pages_forged_and_truncated(void **state)
{
	char db[300];

	publish_many(db, sizeof db);
	check_damage_of(db);
}

/* ----------------------------------------------------- other layouts */

/* The same answers from the databases at A and B: every entry in file
 * order, and every question each entry answers. */
static void assert_same_answers(const char *a_path, const char *b_path)
{
	struct portdb *a, *b;
	char why[512];

	if (portdb_open(a_path, PORTDB_OPEN_UNTRUSTED, &a, why, sizeof why) != 0 ||
	    portdb_open(b_path, PORTDB_OPEN_UNTRUSTED, &b, why, sizeof why) != 0)
		fail_msg("%s", why);
	assert_int_equal(portdb_entries(a), portdb_entries(b));
	assert_true(portdb_entries(a) > 0);
	for (uint32_t seq = 0; seq < portdb_entries(a); seq++) {
		struct entry_view va, vb;
		struct query q[4];

		assert_int_equal(portdb_entry_at(a, seq, &va), 0);
		assert_int_equal(portdb_entry_at(b, seq, &vb), 0);
		assert_int_equal(va.seq, vb.seq);
		assert_int_equal(va.line, vb.line);
		assert_int_equal(va.port_net, vb.port_net);
		assert_int_equal(va.naliases, vb.naliases);
		assert_true(same_bytes((const unsigned char *)va.block, va.blocklen,
				       (const unsigned char *)vb.block, vb.blocklen));
		q[0] = (struct query){ QUERY_NAME, va.name, strlen(va.name), 0, va.proto };
		q[1] = (struct query){ QUERY_NAME, va.name, strlen(va.name), 0, NULL };
		q[2] = (struct query){ QUERY_PORT, NULL, 0, va.port_net, va.proto };
		q[3] = (struct query){ QUERY_PORT, NULL, 0, va.port_net, NULL };
		for (int i = 0; i < 4; i++) {
			struct entry_view fa, fb;

			assert_int_equal(portdb_find(a, &q[i], &fa), 0);
			assert_int_equal(portdb_find(b, &q[i], &fb), 0);
			assert_int_equal(fa.seq, fb.seq);
			assert_true(fa.seq <= seq);
		}
	}
	{
		struct query q = { .kind = QUERY_NAME, .name = "no-such-service", .len = 15 };
		struct entry_view v;

		assert_int_equal(portdb_find(a, &q, &v), ENOENT);
		assert_int_equal(portdb_find(b, &q, &v), ENOENT);
	}
	portdb_close(a);
	portdb_close(b);
}

/* data/edge-services without the lines whose port a 32-bit strtoul reads
 * otherwise than a 64-bit one (negative, or ten digits and more): the
 * parser follows glibc, whose answer there depends on the word size.
 * The same as: sed -E '/^[^[:space:]]+[[:space:]]+(-[0-9]|[1-9][0-9]{9})/d' */
static void edge_services_ilp32(char *out, size_t len)
{
	char src[300], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *in, *o;

	edge_services(src, sizeof src);
	snprintf(out, len, "%s/edge-services-ilp32", check_dir);
	in = fopen(src, "re");
	o = fopen(out, "we");
	assert_non_null(in);
	assert_non_null(o);
	while ((n = getline(&line, &cap, in)) > 0) {
		size_t a = strcspn(line, " \t\n\v\f\r"), b = a + strspn(line + a, " \t\n\v\f\r");
		const char *port = line + b;

		if (a > 0 && b > a &&
		    ((port[0] == '-' && port[1] >= '0' && port[1] <= '9') ||
		     (port[0] >= '1' && port[0] <= '9' && strspn(port, "0123456789") >= 10)))
			continue;
		fwrite(line, 1, (size_t)n, o);
	}
	free(line);
	fclose(in);
	assert_int_equal(fclose(o), 0);
}

/* The committed fixture: that file built by an i386 `portdb build`
 * (32-bit page numbers): configure --host=i686-linux-gnu CC="gcc -m32"
 * in a fresh tree, make portdb, then
 *   portdb build -o i386-edge.lmdb edge-services-ilp32 */
static void i386_fixture(char *out, size_t len)
{
	snprintf(out, len, "%s/tests/fuzz/corpus/db/i386-edge.lmdb", srcdir);
}

/* The reader's listing of the file at PATH, whose mapping F keeps. */
static void reader_listing(const char *path, struct file *f, struct lmdb_reader *r,
			   struct listing *l)
{
	char why[256] = "";

	*f = map_file(path);
	if (lmdb_reader_open(r, f->data, f->size, why, sizeof why) != 0)
		fail_msg("%s: %s", path, why);
	assert_int_equal(reader_list(r, l), 0);
	assert_int_equal(l->n, r->entries);
}

static void test_i386_layout(void **state)
{
	struct lmdb_reader r, rh;
	struct listing l, lh;
	struct file f, fh;
	char fixture[400], src[300], db[300];
	size_t i;

	i386_fixture(fixture, sizeof fixture);
	edge_services_ilp32(src, sizeof src);
	publish_one(src, SVC_FORMAT_SERVICES, "edge-ilp32.lmdb", db, sizeof db);
	reader_listing(fixture, &f, &r, &l);
	reader_listing(db, &fh, &rh, &lh);
	assert_int_equal(r.word, 4);
	assert_int_equal(r.hdr, 12);
	assert_int_equal(r.big_endian, 0);
	assert_int_equal(rh.word, sizeof(void *));
	/* The same keys; the same index, byte for byte (the metadata has
	 * another build time and source). */
	assert_int_equal(l.n, lh.n);
	for (i = 0; i < l.n; i++)
		assert_true(same_bytes(l.p[i].key, l.p[i].klen, lh.p[i].key, lh.p[i].klen));
	assert_true(same_bytes(l.p[0].val, l.p[0].vlen, lh.p[0].val, lh.p[0].vlen));
	assert_int_equal(l.p[0].key[0], 'I');
	assert_reader_matches(&r, &l);
	assert_same_answers(fixture, db);
	listing_free(&l);
	listing_free(&lh);
	unmap_file(&f);
	unmap_file(&fh);
}

static void test_i386_forged_and_truncated(void **state)
{
	struct lmdb_reader r;
	struct listing l;
	struct file f;
	char fixture[400];

	i386_fixture(fixture, sizeof fixture);
	reader_listing(fixture, &f, &r, &l);
	check_damage(f.data, f.size, &l);
	listing_free(&l);
	unmap_file(&f);
}

/* The other byte order: the file an LMDB of the same word size and the
 * other byte order would write (big-endian, from the little-endian files
 * of an x86 build).  What LMDB writes in the
 * machine's order is swapped: the meta pages, the page headers, the
 * node offsets and node headers (the data size as one u32; a branch
 * node's child page number is that u32 and the flags), and a large
 * value's overflow page number.  Keys and values are bytes, and stay. */
static void swap(unsigned char *p, unsigned n)
{
	for (unsigned i = 0; i < n / 2; i++) {
		unsigned char c = p[i];

		p[i] = p[n - 1 - i];
		p[n - 1 - i] = c;
	}
}

/* An overflow page has a page count (u32) in place of lower and upper. */
static void swap_page_header(unsigned char *p, unsigned word, int overflow)
{
	swap(p, word);
	swap(p + word, 2);          /* pad */
	swap(p + word + 2, 2);      /* flags */
	if (overflow) {
		swap(p + word + 4, 4);
	} else {
		swap(p + word + 4, 2);
		swap(p + word + 6, 2);
	}
}

static void swap_meta(unsigned char *p, unsigned word)
{
	unsigned char *m = p + word + 8;

	swap_page_header(p, word, 0);
	swap(m, 4);                 /* magic */
	swap(m + 4, 4);             /* version */
	swap(m + 8, word);          /* address */
	swap(m + 8 + word, word);   /* map size */
	m += 8 + 2 * word;
	for (int i = 0; i < 2; i++, m += 8 + 5 * word) {
		swap(m, 4);
		swap(m + 4, 2);
		swap(m + 6, 2);
		for (int w = 0; w < 5; w++)
			swap(m + 8 + w * word, word);
	}
	swap(m, word);              /* last page */
	swap(m + word, word);       /* transaction id */
}

/* One page of the file that R describes. */
static void swap_page(void *ctx, unsigned char *p, uint64_t pgno, unsigned flags)
{
	const struct lmdb_reader *r = ctx;
	unsigned lower = (unsigned)get_int(r, p + r->word + 4, 2);

	if (flags == PAGE_OVERFLOW) {
		swap_page_header(p, r->word, 1);
		return;
	}
	for (unsigned i = 0; r->hdr + 2 * i < lower; i++) {
		unsigned char *n = p + get_int(r, p + r->hdr + 2 * i, 2);
		size_t ksize = get_int(r, n + 6, 2);

		if (flags == PAGE_LEAF && (get_int(r, n + 4, 2) & NODE_BIGDATA))
			swap(n + 8 + ksize, r->word);   /* the overflow page number */
		swap(n, 4);
		swap(n + 4, 2);
		swap(n + 6, 2);
		swap(p + r->hdr + 2 * i, 2);
	}
	swap_page_header(p, r->word, 0);
}

/* The LMDB file at F that R describes, swapped in place. */
static void swap_byte_order(unsigned char *f, const struct lmdb_reader *r)
{
	for_each_page(r, f, swap_page, (void *)r);
	swap_meta(f, r->word);
	swap_meta(f + r->psize, r->word);
}

/* The database at PATH, converted to the other byte order: the reader
 * reads the same from both, portdb answers the same, and the converted
 * file is checked for forgeries and truncations too. */
static void check_other_byte_order(const char *path, const char *name)
{
	struct lmdb_reader r, o;
	struct listing l;
	struct guarded g;
	struct file f;
	char o_path[300];

	reader_listing(path, &f, &r, &l);
	guarded_copy(&g, f.data, f.size);
	swap_byte_order(g.data, &r);
	assert_false(same_bytes(g.data, g.size, f.data, f.size));
	assert_int_equal(lmdb_reader_open(&o, g.data, g.size, NULL, 0), 0);
	assert_int_equal(o.big_endian, !r.big_endian);
	assert_int_equal(o.word, r.word);
	assert_int_equal(o.depth, r.depth);
	assert_int_equal(o.last, r.last);
	assert_reader_matches(&o, &l);
	check_path(o_path, sizeof o_path, name);
	write_file(o_path, g.data, g.size);
	assert_same_answers(o_path, path);
	check_damage(g.data, g.size, &l);
	guarded_free(&g);
	listing_free(&l);
	unmap_file(&f);
}

static void test_swapped_byte_order(void **state)
{
	char src[300], db[300], fixture[400];

	edge_services(src, sizeof src);
	publish_one(src, SVC_FORMAT_SERVICES, "edge.lmdb", db, sizeof db);
	check_other_byte_order(db, "edge-swapped.lmdb");
	i386_fixture(fixture, sizeof fixture);
	check_other_byte_order(fixture, "i386-swapped.lmdb");
	publish_many(db, sizeof db);
	check_other_byte_order(db, "many-swapped.lmdb");
}

/* ---------------------------------------------------------------- main */

static int setup_all(void **state)
{
	srcdir = getenv("top_srcdir");
	if (srcdir == NULL)
		srcdir = ".";
	strcpy(check_dir, "/tmp/portdb-reader.XXXXXX");
	return mkdtemp(check_dir) == NULL ? -1 : 0;
}

static int teardown_all(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", check_dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_etc_services),
		cmocka_unit_test(test_edge_services),
		cmocka_unit_test(test_iana_registry),
		cmocka_unit_test(test_many_sources_branch_pages),
		cmocka_unit_test(test_large_synthetic),
		cmocka_unit_test(test_fuzz_corpus),
		cmocka_unit_test(test_edge_forged_and_truncated),
		cmocka_unit_test(test_branch_pages_forged_and_truncated),
		cmocka_unit_test(test_i386_layout),
		cmocka_unit_test(test_i386_forged_and_truncated),
		cmocka_unit_test(test_swapped_byte_order),
	};
	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
