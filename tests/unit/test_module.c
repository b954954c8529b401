/* The module's entry points called directly, as glibc calls them: the
 * status and errno protocol, and every way a database can be missing,
 * untrusted, corrupt, stale, replaced, or inherited across fork(). */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <nss.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect.h"
#include "meta.h"
#include "module_harness.h"
#include "writer.h"

static enum nss_status by_name(const char *name, const char *proto, struct servent *s,
			       char *buf, size_t len, int *err)
{
	return byname(name, proto, s, buf, len, err);
}

/* The port of NAME/tcp, or -1 if not SUCCESS; STATUS receives the status. */
static int port_of(const char *name, enum nss_status *status)
{
	char buf[1024];
	struct servent s;
	int err = 0;
	enum nss_status st = by_name(name, "tcp", &s, buf, sizeof buf, &err);

	if (status != NULL)
		*status = st;
	return st == NSS_STATUS_SUCCESS ? ntohs((uint16_t)s.s_port) : -1;
}

static int setup_all(void **state)
{
	(void)state;
	return harness_setup("module");
}

static int teardown_all(void **state)
{
	(void)state;
	return harness_teardown();
}

static void test_found_keeps_errno(void **state)
{
	char buf[1024];
	struct servent s;
	int err = 4242;

	publish("alpha 1/tcp a1 a2\nalpha 2/udp\n");
	errno = 777;
	assert_int_equal(by_name("a2", "tcp", &s, buf, sizeof buf, &err), NSS_STATUS_SUCCESS);
	assert_int_equal(errno, 777);
	assert_int_equal(err, 4242);                    /* *errnop untouched too */
	assert_string_equal(s.s_name, "alpha");
	errno = 778;
	assert_int_equal(byport(htons(2), NULL, &s, buf, sizeof buf, &err), NSS_STATUS_SUCCESS);
	assert_int_equal(errno, 778);
	assert_string_equal(s.s_proto, "udp");
}

static void test_notfound_and_erange(void **state)
{
	char buf[1024];
	struct servent s;
	int err = 0;

	publish("alpha 1/tcp a1 a2\n");
	assert_int_equal(by_name("nosuch", NULL, &s, buf, sizeof buf, &err), NSS_STATUS_NOTFOUND);
	assert_int_equal(byport(htons(9), "tcp", &s, buf, sizeof buf, &err), NSS_STATUS_NOTFOUND);
	/* an int outside 0..65535 names no port (L3) */
	assert_int_equal(byport(htons(1) | 0x10000, NULL, &s, buf, sizeof buf, &err),
			 NSS_STATUS_NOTFOUND);
	assert_int_equal(byport(-1, NULL, &s, buf, sizeof buf, &err), NSS_STATUS_NOTFOUND);
	err = 0;
	assert_int_equal(by_name("alpha", NULL, &s, buf, 8, &err), NSS_STATUS_TRYAGAIN);
	assert_int_equal(err, ERANGE);
}

/* E3 and E4: ERANGE does not advance; the end is NOTFOUND, again and
 * again, without touching *errnop. */
static void test_enumeration(void **state)
{
	char buf[1024];
	struct servent s;
	int err;

	publish("e1 1/tcp x y z\ne2 2/tcp\n# comment\ne3 3/udp\n");
	setent(0);
	err = 0;
	assert_int_equal(getent(&s, buf, 10, &err), NSS_STATUS_TRYAGAIN);
	assert_int_equal(err, ERANGE);
	assert_int_equal(getent(&s, buf, sizeof buf, &err), NSS_STATUS_SUCCESS);
	assert_string_equal(s.s_name, "e1");
	assert_int_equal(getent(&s, buf, sizeof buf, &err), NSS_STATUS_SUCCESS);
	assert_string_equal(s.s_name, "e2");
	/* a lookup in between does not disturb the walk (E2) */
	assert_int_equal(port_of("e1", NULL), 1);
	assert_int_equal(getent(&s, buf, sizeof buf, &err), NSS_STATUS_SUCCESS);
	assert_string_equal(s.s_name, "e3");
	for (int i = 0; i < 3; i++) {
		err = 99;
		assert_int_equal(getent(&s, buf, sizeof buf, &err), NSS_STATUS_NOTFOUND);
		assert_int_equal(err, 99);
	}
	setent(0);
	assert_int_equal(getent(&s, buf, sizeof buf, &err), NSS_STATUS_SUCCESS);
	assert_string_equal(s.s_name, "e1");
	endent();
}

static void expect_unavail(const char *what)
{
	enum nss_status st;

	if (port_of("alpha", &st) >= 0 || st != NSS_STATUS_UNAVAIL)
		fail_msg("%s: expected UNAVAIL, got status %d", what, st);
}

static void test_missing_is_unavail(void **state)
{
	unlink(db_path);
	expect_unavail("no database");
}

static void test_untrusted_is_unavail(void **state)
{
	char link[320];

	publish("alpha 1/tcp\n");
	assert_int_equal(port_of("alpha", NULL), 1);
	chmod(db_path, 0666);
	expect_unavail("writable by others");
	chmod(db_path, 0664);
	expect_unavail("writable by group");
	chmod(db_path, 0644);
	assert_int_equal(port_of("alpha", NULL), 1);

	snprintf(link, sizeof link, "%s/link.lmdb", dir);
	assert_int_equal(symlink(db_path, link), 0);
	setenv("NSS_PORTDB_PATH", link, 1);
	expect_unavail("symbolic link");
	setenv("NSS_PORTDB_PATH", dir, 1);
	expect_unavail("directory");
	setenv("NSS_PORTDB_PATH", db_path, 1);
	assert_int_equal(port_of("alpha", NULL), 1);

	if (geteuid() == 0) {
		struct passwd *pw = getpwnam("nobody");
		if (pw != NULL) {
			assert_int_equal(chown(db_path, pw->pw_uid, pw->pw_gid), 0);
			expect_unavail("owned by another user");
			assert_int_equal(chown(db_path, 0, 0), 0);
			assert_int_equal(port_of("alpha", NULL), 1);
		}
	}
}

static void test_stale_source_is_unavail(void **state)
{
	FILE *f;

	publish("alpha 1/tcp\n");
	assert_int_equal(port_of("alpha", NULL), 1);
	f = fopen(src_path, "a");
	assert_non_null(f);
	fputs("beta 2/tcp\n", f);
	fclose(f);
	expect_unavail("source edited after the build");
	unlink(src_path);
	expect_unavail("source removed");
	publish("alpha 3/tcp\n");                       /* rebuilt: current again */
	assert_int_equal(port_of("alpha", NULL), 3);
}

static void test_replacement_is_seen(void **state)
{
	publish("alpha 1/tcp\n");
	assert_int_equal(port_of("alpha", NULL), 1);
	for (int v = 2; v < 40; v++) {
		char text[64];
		snprintf(text, sizeof text, "alpha %d/tcp\n", v);
		publish(text);
		assert_int_equal(port_of("alpha", NULL), v);
	}
}

static void copy_file(const char *from, const char *to, size_t len, long flip)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	int c;

	assert_non_null(in);
	assert_non_null(out);
	for (size_t i = 0; i < len && (c = fgetc(in)) != EOF; i++)
		fputc((long)i == flip ? c ^ 0x10 : c, out);
	fclose(in);
	fclose(out);
	chmod(to, 0644);
}

/* Is the byte at OFF of the good file GOOD (SIZE bytes) one to corrupt
 * in a sampled run?  Every byte of each page's header and of the meta
 * pages' fields, of each node pointer array and of the nodes (keys and
 * values: the index, the metadata, the seal), of any other page that is
 * not a branch or leaf (overflow pages hold large values), and every 61st byte
 * of the rest (free space).  PORTDB_CHECK_FULL=1: every byte. */
static int worth_flipping(const unsigned char *good, long size, long off, long psize, int full)
{
	const unsigned char *page = good + off / psize * psize;
	long in = off % psize;
	uint16_t flags, lower, upper;

	if (full || in < 160 || off % 61 == 0)
		return 1;
	if (off / psize * psize + 16 > size)
		return 1;
	memcpy(&flags, page + 10, 2);   /* LMDB's page header, host order */
	memcpy(&lower, page + 12, 2);
	memcpy(&upper, page + 14, 2);
	if (flags & 0x08)
		return 0;               /* a meta page: its fields are in the first 160 */
	if ((flags & 0x03) == 0 || (flags & 0x04) != 0)
		return 1;               /* not a branch or leaf page */
	return in < lower || in >= upper;
}

/* Likewise for a truncation at length N: around each page boundary, the
 * last bytes of the file, every 61st length. */
static int worth_truncating(long size, long n, long psize, int full)
{
	long in = n % psize;

	return full || n % 61 == 0 || in < 3 || in > psize - 3 || n > size - 64;
}

/* Truncated at many lengths, one bit flipped at many bytes: the answer is
 * UNAVAIL or the right one, never a crash or a wrong answer. */
static void test_corruption_never_lies(void **state)
{
	const char *full_env = getenv("PORTDB_CHECK_FULL");
	int full = full_env != NULL && strcmp(full_env, "1") == 0;
	long psize = sysconf(_SC_PAGESIZE);
	char good[320];
	unsigned char *bytes;
	struct stat st;
	long tried = 0, unavail = 0;
	FILE *f;

	publish("alpha 1/tcp a1\nbeta 2/udp\n");
	snprintf(good, sizeof good, "%s/good.lmdb", dir);
	rename(db_path, good);
	assert_int_equal(stat(good, &st), 0);
	/* liblmdb writes pages of the system's page size: the sampling
	 * reads their headers */
	assert_true(psize > 0 && st.st_size % psize == 0 && st.st_size >= 3 * psize);
	bytes = malloc((size_t)st.st_size);
	assert_non_null(bytes);
	f = fopen(good, "rb");
	assert_non_null(f);
	assert_int_equal(fread(bytes, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	for (long n = 0; n <= st.st_size; n++) {
		enum nss_status status;
		int p;

		if (n != st.st_size && !worth_truncating(st.st_size, n, psize, full))
			continue;
		copy_file(good, db_path, (size_t)n, -1);
		p = port_of("alpha", &status);
		tried++;
		if (n == st.st_size)
			assert_int_equal(p, 1);
		else if (p != -1 || status != NSS_STATUS_UNAVAIL)
			fail_msg("truncated at %ld: port %d status %d", n, p, status);
		unavail += p == -1;
	}
	for (long i = 0; i < st.st_size; i++) {
		enum nss_status status;
		int p;

		if (!worth_flipping(bytes, st.st_size, i, psize, full))
			continue;
		copy_file(good, db_path, (size_t)st.st_size, i);
		p = port_of("alpha", &status);
		tried++;
		if (p != 1 && !(p == -1 && status == NSS_STATUS_UNAVAIL))
			fail_msg("byte %ld flipped: port %d status %d", i, p, status);
		unavail += p == -1;
	}
	print_message("corruption: %ld files tried, %ld refused%s\n", tried, unavail,
		      full ? " (every length, every byte)" : " (a sample: PORTDB_CHECK_FULL=1 tries all)");
	free(bytes);
	rename(good, db_path);
}

/* Add one to the format version in the header record of the database
 * at PATH, found by its magic. */
static void bump_format_version(const char *path)
{
	unsigned char buf[1 << 16], *m;
	int fd = open(path, O_RDWR);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof buf);
	assert_true(n > 0);
	m = memmem(buf, (size_t)n, PORTDB_MAGIC, 8);
	assert_non_null(m);
	m[11] += 1;   /* the low byte of the big-endian version after the magic */
	assert_int_equal(pwrite(fd, buf, (size_t)n, 0), n);
	close(fd);
}

static void test_not_a_database(void **state)
{
	FILE *f = fopen(db_path, "wb");

	assert_non_null(f);
	srand(7);
	for (int i = 0; i < 40000; i++)
		fputc(rand() & 0xff, f);
	fclose(f);
	chmod(db_path, 0644);
	expect_unavail("random bytes");
	f = fopen(db_path, "w");
	fputs("alpha 1/tcp\n", f);                      /* services text */
	fclose(f);
	expect_unavail("services text");

	publish("alpha 1/tcp\n");                       /* another format version */
	bump_format_version(db_path);
	expect_unavail("format version");
}

/* After a lookup the module holds no descriptor at all: the database is
 * mapped, and the descriptor that mapped it is gone (a posix_spawn in
 * another thread cannot inherit what does not exist). */
static void test_no_descriptor_kept(void **state)
{
	char line[1024];
	DIR *d;
	struct dirent *e;
	FILE *maps;
	int mapped = 0;

	publish("alpha 1/tcp\n");
	assert_int_equal(port_of("alpha", NULL), 1);
	d = opendir("/proc/self/fd");
	if (d == NULL)
		skip();
	while ((e = readdir(d)) != NULL) {
		char target[512] = "";
		char link[300];

		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
		if (readlink(link, target, sizeof target - 1) < 0)
			continue;
		if (strncmp(target, dir, strlen(dir)) == 0)
			fail_msg("descriptor %s (%s) is still open", e->d_name, target);
	}
	closedir(d);
	maps = fopen("/proc/self/maps", "re");
	assert_non_null(maps);
	while (fgets(line, sizeof line, maps) != NULL)
		mapped += strstr(line, db_path) != NULL;
	fclose(maps);
	assert_int_equal(mapped, 1);                    /* one mapping, the file's */
}

static int child_port(void)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(port_of("alpha", NULL) & 0xff);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_fork(void **state)
{
	publish("alpha 5/tcp\n");
	assert_int_equal(port_of("alpha", NULL), 5);   /* the parent has it open */
	assert_int_equal(child_port(), 5);
	publish("alpha 6/tcp\n");
	assert_int_equal(child_port(), 6);             /* forked after a replacement */
	assert_int_equal(port_of("alpha", NULL), 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found_keeps_errno),
		cmocka_unit_test(test_notfound_and_erange),
		cmocka_unit_test(test_enumeration),
		cmocka_unit_test(test_missing_is_unavail),
		cmocka_unit_test(test_untrusted_is_unavail),
		cmocka_unit_test(test_stale_source_is_unavail),
		cmocka_unit_test(test_replacement_is_seen),
		cmocka_unit_test(test_corruption_never_lies),
		cmocka_unit_test(test_not_a_database),
		cmocka_unit_test(test_no_descriptor_kept),
		cmocka_unit_test(test_fork),
	};
	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
