/* Unit tests of the input formats (formats.c) and of the drop-in
 * directory (collect.c): detection, IANA's CSV (quoting, skipped rows,
 * ranges, malformed rows and their lines), Wireshark's merged form,
 * nmap-services, and the order and recording of drop-in files. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect.h"
#include "entry.h"
#include "formats.h"

/* What a reader said, one line of text per entry or issue. */
struct record {
	char out[8192];
	size_t len;
};

static void say(struct record *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	r->len += (size_t)vsnprintf(r->out + r->len, sizeof r->out - r->len, fmt, ap);
	va_end(ap);
	assert_true(r->len < sizeof r->out);
}

static int rec_entry(void *ctx, const struct svc_line *l, const struct svc_pos *pos)
{
	struct record *r = ctx;

	say(r, "%s %u/%s", l->name, l->port, l->proto);
	for (size_t i = 0; i < l->naliases; i++)
		say(r, " %s", l->aliases[i]);
	say(r, " @%lu:%zu:%zu:%zu\n", pos->line, pos->name_col, pos->port_col, pos->proto_col);
	return 0;
}

static int rec_issue(void *ctx, const struct svc_issue *is)
{
	static const char *const kinds[] = { "DROPPED", "RANGE", "SKIPPED", "INVALID",
					     "MALFORMED" };
	struct record *r = ctx;

	say(r, "%s @%lu:%zu", kinds[is->kind], is->line, is->col);
	if (is->kind == SVC_ISSUE_RANGE)
		say(r, " %lu-%lu", is->low, is->high);
	if (is->kind == SVC_ISSUE_DROPPED)
		say(r, " reason=%d", is->reason);
	if (is->message != NULL)
		say(r, " %s%s", is->message, is->fatal ? " (fatal)" : "");
	say(r, "\n");
	return 0;
}

/* Read TEXT as FORMAT; the record of what the reader said. */
static const char *read_as(struct record *r, enum svc_format format, const char *text)
{
	struct svc_sink sink = { .ctx = r, .entry = rec_entry, .issue = rec_issue };

	r->len = 0;
	r->out[0] = '\0';
	assert_int_equal(svc_read(text, strlen(text), format, &sink), 0);
	return r->out;
}

#define CSV_HEADER "Service Name,Port Number,Transport Protocol,Description,Assignee\r\n"

/* ------------------------------------------------------------ detection */

static void test_detect_csv_header(void **state)
{
	static const char bom[] = "\xef\xbb\xbf" CSV_HEADER "http,80,tcp,Web,\r\n";
	static const char quoted[] = "\"Service Name\",\"Port Number\",\"Transport Protocol\"\n";

	assert_int_equal(svc_format_detect(CSV_HEADER, strlen(CSV_HEADER)), SVC_FORMAT_IANA_CSV);
	assert_int_equal(svc_format_detect(bom, strlen(bom)), SVC_FORMAT_IANA_CSV);
	assert_int_equal(svc_format_detect(quoted, strlen(quoted)), SVC_FORMAT_IANA_CSV);
}

static void test_detect_services(void **state)
{
	/* One merged protocol among many lines is services text with an odd
	 * protocol (data/edge-services has one), not Wireshark's form. */
	static const char text[] = "# services\nssh 22/tcp\nssh 22/udp\nhttp 80/tcp www\n"
				   "a 1/tcp\nb 2/tcp\nc 3/tcp\nodd 1010/tcp/udp\n";

	assert_int_equal(svc_format_detect(text, strlen(text)), SVC_FORMAT_SERVICES);
	assert_int_equal(svc_format_detect("", 0), SVC_FORMAT_SERVICES);
}

static void test_detect_wireshark(void **state)
{
	static const char text[] = "# merged\ntcpmux 1/tcp/udp\necho 7/tcp/udp\n"
				   "discard 9/tcp/udp/sctp/dccp\nqotd 17/tcp\n";

	assert_int_equal(svc_format_detect(text, strlen(text)), SVC_FORMAT_WIRESHARK);
}

static void test_detect_nmap(void **state)
{
	static const char text[] = "# nmap\ntcpmux\t1/tcp\t0.001995\t# TCP Port Service\n"
				   "unknown\t3/tcp\t0.001242\nunknown\t4/tcp\t0.000477\n";

	assert_int_equal(svc_format_detect(text, strlen(text)), SVC_FORMAT_NMAP);
}

/* What `portdb dump` writes reads back as services text, whatever its
 * protocols look like. */
static void test_detect_dump_is_services(void **state)
{
	static const char text[] = "# portdb dump of x: 3 entries, services(5) text\n"
				   "a\t1/tcp/udp\nb\t2/tcp/udp\nc\t3/tcp/udp\n";

	assert_int_equal(svc_format_detect(text, strlen(text)), SVC_FORMAT_SERVICES);
}

/* Detection fed line by line (what `portdb check` does) says where the
 * look-alike shows first. */
static enum svc_format detect_lines(const char *text, unsigned long *line, size_t *col)
{
	struct svc_detect d = { 0 };
	enum svc_format f;
	const char *p = text;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);

		assert_int_equal(svc_detect_line(&d, p, n), 0);
		p += n + (nl != NULL);
	}
	f = svc_detect_result(&d, line, col);
	svc_detect_free(&d);
	return f;
}

static void test_detect_by_line_says_where(void **state)
{
	unsigned long line;
	size_t col;

	assert_int_equal(detect_lines("# nmap\n\ntcpmux\t1/tcp\t0.001995\t# mux\n"
				      "unknown 3/tcp 0.001242\n", &line, &col), SVC_FORMAT_NMAP);
	assert_int_equal(line, 3);
	assert_int_equal(col, 13);
	assert_int_equal(detect_lines("ssh 22/tcp\nmyapp 5000/tcp/udp myapp-alias\n"
				      "other 5001/udp/tcp\n", &line, &col), SVC_FORMAT_WIRESHARK);
	assert_int_equal(line, 2);
	assert_int_equal(col, 11);
	assert_int_equal(detect_lines("\xef\xbb\xbfService Name,Port Number,Transport Protocol\n"
				      "ssh 22/tcp\n", &line, &col), SVC_FORMAT_IANA_CSV);
	assert_int_equal(line, 1);
	assert_int_equal(detect_lines("ssh 22/tcp\nhttp 80/tcp www\n", &line, &col),
			 SVC_FORMAT_SERVICES);
	assert_int_equal(line, 0);
	/* A header anywhere but the first line is a dropped services line. */
	assert_int_equal(detect_lines("ssh 22/tcp\nService Name,Port Number,Transport Protocol\n",
				      &line, &col), SVC_FORMAT_SERVICES);
}

static void test_format_names(void **state)
{
	enum svc_format f;

	for (int i = SVC_FORMAT_SERVICES; i <= SVC_FORMAT_NMAP; i++) {
		assert_int_equal(svc_format_from_name(svc_format_name(i), &f), 0);
		assert_int_equal(f, i);
	}
	assert_int_equal(svc_format_from_name("csv", &f), 0);
	assert_int_equal(f, SVC_FORMAT_IANA_CSV);
	assert_int_equal(svc_format_from_name("xml", &f), EINVAL);
}

/* ------------------------------------------------------------------ CSV */

static void test_csv_quoting(void **state)
{
	struct record r;
	const char *got = read_as(&r, SVC_FORMAT_IANA_CSV,
		CSV_HEADER
		"ftp,21,tcp,\"File Transfer, \"\"Control\"\"\",\"[A]\r\n[B]\"\r\n"
		"ssh,22,udp,\"three\nlines\nhere\",x\r\n"
		" http ,80, tcp ,Web,\r\n");

	assert_string_equal(got,
		"ftp 21/tcp @2:0:4:7\n"
		"ssh 22/udp @4:0:4:7\n"        /* the line the row starts on */
		"http 80/tcp @7:1:7:11\n");    /* spaces trimmed, columns moved */
}

static void test_csv_skipped_rows(void **state)
{
	struct record r;
	const char *got = read_as(&r, SVC_FORMAT_IANA_CSV,
		CSV_HEADER
		",0,tcp,Reserved,\n"
		"airplay,,tcp,no port,\n"
		"noproto,1099,,no protocol,\n"
		",1100-1199,,Unassigned,\n"
		"\n"
		"ok,1,tcp,,\n");

	assert_string_equal(got,
		"SKIPPED @2:0 no service name\n"
		"SKIPPED @3:8 no port number\n"
		"SKIPPED @4:13 no transport protocol\n"
		"SKIPPED @5:0 no service name\n"
		"ok 1/tcp @7:0:3:5\n");
}

static void test_csv_range_one_entry_per_port(void **state)
{
	struct record r;
	const char *got = read_as(&r, SVC_FORMAT_IANA_CSV,
		CSV_HEADER "x11,6000-6002,tcp,X Window System,\n");

	assert_string_equal(got,
		"RANGE @2:4 6000-6002\n"
		"x11 6000/tcp @2:0:4:14\n"
		"x11 6001/tcp @2:0:4:14\n"
		"x11 6002/tcp @2:0:4:14\n");
}

static void test_csv_malformed_rows(void **state)
{
	struct record r;
	const char *got = read_as(&r, SVC_FORMAT_IANA_CSV,
		CSV_HEADER
		"a,80a,tcp,,\n"
		"b,70000,tcp,,\n"
		"c,9-8,tcp,,\n"
		"d,\"4\"x,tcp,,\n"
		"e,5\n"
		"f,6,tcp,,\n"
		"g,7,tcp,\"never closed\n"
		"h,8,tcp,,\n");

	assert_string_equal(got,
		"MALFORMED @2:2 port '80a' is neither a number nor a range LOW-HIGH within 0-65535\n"
		"MALFORMED @3:2 port '70000' is neither a number nor a range LOW-HIGH within 0-65535\n"
		"MALFORMED @4:2 port '9-8' is neither a number nor a range LOW-HIGH within 0-65535\n"
		"MALFORMED @5:5 a character follows the closing quote of a field\n"
		"MALFORMED @6:0 the row has 2 fields, the header 3\n"
		"f 6/tcp @7:0:2:4\n"
		"MALFORMED @8:8 a quoted field is not closed (fatal)\n");
}

static void test_csv_invalid_tokens_skipped(void **state)
{
	struct record r;
	const char *got = read_as(&r, SVC_FORMAT_IANA_CSV,
		CSV_HEADER
		"two words,1,tcp,,\n"
		"hash#name,2,tcp,,\n"
		"c,3,/tcp,,\n"
		"ok,4,tcp,,\n");

	assert_string_equal(got,
		"INVALID @2:0 the service name 'two words' holds whitespace, which services(5) "
		"cannot express; row skipped\n"
		"INVALID @3:0 the service name 'hash#name' holds '#', which starts a comment in "
		"services(5); row skipped\n"
		"INVALID @4:4 the protocol '/tcp' starts with '/', which services(5) cannot "
		"express; row skipped\n"
		"ok 4/tcp @5:0:3:5\n");
}

/* A NUL byte in a name: services(5) cannot hold it (the line would end
 * there), so the row is skipped, not cut. */
static void test_csv_nul_byte_skipped(void **state)
{
	static const char text[] = CSV_HEADER "a\0b,1,tcp,,\nok,2,tcp,,\n";
	struct svc_sink sink;
	struct record r = { .len = 0 };

	sink = (struct svc_sink){ .ctx = &r, .entry = rec_entry, .issue = rec_issue };
	assert_int_equal(svc_read(text, sizeof text - 1, SVC_FORMAT_IANA_CSV, &sink), 0);
	assert_string_equal(r.out,
		"INVALID @2:0 the service name 'a' holds a NUL byte; row skipped\n"
		"ok 2/tcp @3:0:3:5\n");
}

static void test_csv_header_required(void **state)
{
	struct record r;

	assert_string_equal(read_as(&r, SVC_FORMAT_IANA_CSV, "http,80,tcp\n"),
		"MALFORMED @1:0 not IANA's CSV: the header does not name the columns "
		"Service Name, Port Number and Transport Protocol (fatal)\n");
	assert_string_equal(read_as(&r, SVC_FORMAT_IANA_CSV, ""),
		"MALFORMED @1:0 not IANA's CSV: no header line (fatal)\n");
}

/* Columns are found by their names, in any order. */
static void test_csv_columns_by_name(void **state)
{
	struct record r;

	assert_string_equal(read_as(&r, SVC_FORMAT_IANA_CSV,
		"Description,Transport Protocol,Service Name,Port Number\n"
		"Web,tcp,http,80\n"),
		"http 80/tcp @2:8:13:4\n");
}

/* ------------------------------------------------------ line formats */

static void test_wireshark_merged_and_ranges(void **state)
{
	struct record r;
	const char *got = read_as(&r, SVC_FORMAT_WIRESHARK,
		"# comment\n"
		"http\t80/tcp/udp/sctp\twww # World Wide Web\n"
		"x11 6000-6001/tcp/udp x11-0\n"
		"plain 7/tcp\n"
		"trail 8/tcp/\n"
		"bad 80x/tcp/udp\n");

	assert_string_equal(got,
		"http 80/tcp www @2:0:5:8\n"
		"http 80/udp www @2:0:5:12\n"
		"http 80/sctp www @2:0:5:16\n"
		"RANGE @3:4 6000-6001\n"
		"x11 6000/tcp x11-0 @3:0:4:14\n"
		"x11 6001/tcp x11-0 @3:0:4:14\n"
		"x11 6000/udp x11-0 @3:0:4:18\n"
		"x11 6001/udp x11-0 @3:0:4:18\n"
		"plain 7/tcp @4:0:6:8\n"
		"trail 8/tcp @5:0:6:8\n"
		"DROPPED @6:4 reason=3\n");
}

/* In services text "tcp/udp" is one protocol, and a range is dropped,
 * as glibc has them. */
static void test_services_keeps_glibc_rules(void **state)
{
	struct record r;

	assert_string_equal(read_as(&r, SVC_FORMAT_SERVICES,
		"odd 1010/tcp/udp\nx11 6000-6001/tcp\n"),
		"odd 1010/tcp/udp @1:0:4:9\n"
		"DROPPED @2:4 reason=3\n");
}

static void test_nmap_frequency_is_no_alias(void **state)
{
	struct record r;

	assert_string_equal(read_as(&r, SVC_FORMAT_NMAP,
		"tcpmux\t1/tcp\t0.001995\t# TCP Port Service Multiplexer\n"
		"unknown\t3/tcp\t0.001242\n"
		"odd\t4/tcp\tnot-a-number\n"),
		"tcpmux 1/tcp @1:0:7:9\n"
		"unknown 3/tcp @2:0:8:10\n"
		"odd 4/tcp not-a-number @3:0:4:6\n");
}

/* ----------------------------------------------------------- drop-ins */

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void test_dropins_in_name_order(void **state)
{
	char dir[] = "/tmp/portdb-dropins.XXXXXX", path[256], err[512];
	struct collect_opts opts = { 0 };
	struct entry_set set = { 0 };
	static const char *const want[] = { "a", "b", "c" };

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/20-b.conf", dir);
	write_file(path, "b 2/tcp\n");
	snprintf(path, sizeof path, "%s/10-a.conf", dir);
	write_file(path, "a 1/tcp\n");
	snprintf(path, sizeof path, "%s/30-c.conf", dir);
	/* Read as services(5), as glibc would: the header is a dropped line. */
	write_file(path, "Service Name,Port Number,Transport Protocol\nc 3/tcp\n");
	snprintf(path, sizeof path, "%s/ignored.txt", dir);     /* not *.conf */
	write_file(path, "x 9/tcp\n");
	snprintf(path, sizeof path, "%s/.hidden.conf", dir);
	write_file(path, "y 9/tcp\n");
	snprintf(path, sizeof path, "%s/sub.conf", dir);        /* not a file */
	assert_int_equal(mkdir(path, 0755), 0);

	assert_int_equal(entry_set_add_dropins(&set, dir, &opts, err, sizeof err), 0);
	assert_int_equal(set.count, 3);
	assert_int_equal(set.skipped, 1);
	for (uint32_t i = 0; i < set.count; i++) {
		struct entry_view v;
		size_t end = i + 1 < set.count ? set.offsets[i + 1] : set.used;
		assert_true(entry_decode(set.arena + set.offsets[i], end - set.offsets[i], &v) > 0);
		assert_string_equal(v.name, want[i]);
	}
	/* The directory is a source (first), then each file. */
	assert_int_equal(set.nsources, 4);
	assert_string_equal(set.sources[0].path, dir);
	assert_int_equal(set.sources[0].entries, 0);
	snprintf(path, sizeof path, "%s/30-c.conf", dir);
	assert_string_equal(set.sources[3].path, path);
	entry_set_free(&set);

	/* Clean up; a missing directory is no error and no source. */
	const char *names[] = { "10-a.conf", "20-b.conf", "30-c.conf", "ignored.txt",
				".hidden.conf" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		assert_int_equal(unlink(path), 0);
	}
	snprintf(path, sizeof path, "%s/sub.conf", dir);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(entry_set_add_dropins(&set, dir, &opts, err, sizeof err), 0);
	assert_int_equal(set.nsources, 0);
	entry_set_free(&set);
}

/* A malformed CSV row fails a read that is not lenient, naming FILE:LINE. */
static void test_malformed_csv_fails_build(void **state)
{
	char path[] = "/tmp/portdb-csv.XXXXXX", err[512];
	struct collect_opts opts = { .format = SVC_FORMAT_IANA_CSV };
	struct entry_set set = { 0 };
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	write_file(path, CSV_HEADER "ok,1,tcp,,\nbad,1x,tcp,,\n");
	assert_int_equal(entry_set_add_source(&set, path, &opts, err, sizeof err), EBADMSG);
	assert_non_null(strstr(err, ":3: malformed CSV: port '1x'"));
	assert_int_equal(strncmp(err, path, strlen(path)), 0);
	entry_set_free(&set);

	opts.lenient = 1;
	assert_int_equal(entry_set_add_source(&set, path, &opts, err, sizeof err), 0);
	assert_int_equal(set.count, 1);
	assert_int_equal(set.skipped, 1);
	entry_set_free(&set);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect_csv_header),
		cmocka_unit_test(test_detect_services),
		cmocka_unit_test(test_detect_wireshark),
		cmocka_unit_test(test_detect_nmap),
		cmocka_unit_test(test_detect_dump_is_services),
		cmocka_unit_test(test_detect_by_line_says_where),
		cmocka_unit_test(test_format_names),
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_csv_skipped_rows),
		cmocka_unit_test(test_csv_range_one_entry_per_port),
		cmocka_unit_test(test_csv_malformed_rows),
		cmocka_unit_test(test_csv_invalid_tokens_skipped),
		cmocka_unit_test(test_csv_nul_byte_skipped),
		cmocka_unit_test(test_csv_header_required),
		cmocka_unit_test(test_csv_columns_by_name),
		cmocka_unit_test(test_wireshark_merged_and_ranges),
		cmocka_unit_test(test_services_keeps_glibc_rules),
		cmocka_unit_test(test_nmap_frequency_is_no_alias),
		cmocka_unit_test(test_dropins_in_name_order),
		cmocka_unit_test(test_malformed_csv_fails_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
