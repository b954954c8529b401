/* Threads, live replacement and resource use, through the real libc.
 *
 * Three threads look up and a fourth enumerates continuously while the
 * main thread replaces the database again and again: no thread may ever
 * see a wrong answer, each
 * new version must show within 2 s, and descriptors, mappings and RSS
 * must not grow with the number of replacements or lookups.
 *
 * Usage: stress DIR REPLACEMENTS LOOKUPS [races-only]
 * (NSS_PORTDB_PATH=DIR/db.lmdb).  races-only skips the resource checks,
 * for runs under valgrind, which opens mapped files itself. */
#include <config.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collect.h"
#include "writer.h"

extern int __nss_configure_lookup(const char *db, const char *service_line);

#define THREADS 3
#define STABLE_PORT 7

static char dir_path[400], db_path[512];
static atomic_int published;          /* the version last published */
static atomic_int stop;
static atomic_int seen[THREADS];      /* the version each thread last saw */
static atomic_long lookups;
static atomic_int failures;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	if (atomic_fetch_add(&failures, 1) >= 10)
		return;   /* the first few tell the story */
	va_start(ap, fmt);
	fputs("FAIL: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Version V: a fixed entry, the version as a port, and V filler lines
 * so that the file's size changes too.  Each version has a source file
 * of its own: rewriting the old one would make the old database stale
 * (UNAVAIL) until the new one is in place. */
static void publish(int v)
{
	const struct collect_opts opts = { .format = SVC_FORMAT_SERVICES };
	struct entry_set set = { 0 };
	char err[512], src_path[600];
	FILE *f;

	snprintf(src_path, sizeof src_path, "%s/services.%d", dir_path, v);
	f = fopen(src_path, "w");

	if (f == NULL) {
		perror(src_path);
		exit(1);
	}
	fprintf(f, "stable %d/tcp st\nver %d/tcp\n", STABLE_PORT, 1000 + v);
	for (int i = 0; i < v % 50; i++)
		fprintf(f, "filler-%d %d/udp\n", i, 20000 + i);
	fclose(f);
	atomic_store(&published, v);   /* readers may see it from now on */
	if (entry_set_add_source(&set, src_path, &opts, err, sizeof err) != 0 ||
	    portdb_publish(&set, db_path, err, sizeof err) != 0) {
		fprintf(stderr, "publish: %s\n", err);
		exit(1);
	}
	entry_set_free(&set);
	if (v > 2) {   /* the previous version's source is no longer needed */
		snprintf(src_path, sizeof src_path, "%s/services.%d", dir_path, v - 2);
		unlink(src_path);
	}
}

static void *looker(void *arg)
{
	int id = (int)(intptr_t)arg, last = 0;
	char buf[1024];
	struct servent s, *r;

	while (!atomic_load(&stop)) {
		if (getservbyname_r("st", "tcp", &s, buf, sizeof buf, &r) != 0 || r == NULL ||
		    ntohs((uint16_t)s.s_port) != STABLE_PORT || strcmp(s.s_name, "stable") != 0)
			fail("thread %d: stable entry wrong or missing", id);
		int before = atomic_load(&published);
		if (getservbyname_r("ver", "tcp", &s, buf, sizeof buf, &r) != 0 || r == NULL) {
			fail("thread %d: version entry missing", id);
			continue;
		}
		int v = ntohs((uint16_t)s.s_port) - 1000;
		int after = atomic_load(&published);
		/* A version never goes back, and is never one not yet published. */
		if (v < last || v > after)
			fail("thread %d: saw version %d after %d (published %d..%d)", id, v, last,
			     before, after);
		last = v;
		atomic_store(&seen[id], v);
		atomic_fetch_add(&lookups, 2);
	}
	return NULL;
}

/* Walks the database again and again while it is replaced: every entry
 * must be one some version holds, and lookups must not disturb it. */
static void *walker(void *arg)
{
	char buf[1024];
	struct servent s, *r;
	long walks = 0;

	while (!atomic_load(&stop)) {
		int n = 0;
		setservent(0);
		while (getservent_r(&s, buf, sizeof buf, &r) == 0 && r != NULL) {
			int port = ntohs((uint16_t)s.s_port), i;
			if (strcmp(s.s_name, "stable") == 0 ? port != STABLE_PORT :
			    strcmp(s.s_name, "ver") == 0 ? port <= 1000 :
			    sscanf(s.s_name, "filler-%d", &i) != 1 || port != 20000 + i)
				fail("walk: unexpected entry %s %d/%s", s.s_name, port, s.s_proto);
			n++;
		}
		endservent();
		if (n < 2)
			fail("walk: only %d entries", n);
		walks++;
	}
	return (void *)(intptr_t)walks;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Descriptors and mappings of files in the database's directory. */
static void count_resources(const char *dir, int *fds, int *maps)
{
	char line[1024], target[1024], link[300];
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	FILE *m;

	*fds = *maps = 0;
	while (d != NULL && (e = readdir(d)) != NULL) {
		ssize_t n;
		snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
		n = readlink(link, target, sizeof target - 1);
		if (n > 0) {
			target[n] = '\0';
			*fds += strncmp(target, dir, strlen(dir)) == 0;
		}
	}
	if (d != NULL)
		closedir(d);
	m = fopen("/proc/self/maps", "r");
	while (m != NULL && fgets(line, sizeof line, m) != NULL)
		*maps += strstr(line, dir) != NULL;
	if (m != NULL)
		fclose(m);
}

static long rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = atol(line + 6);
	if (f != NULL)
		fclose(f);
	return kb;
}

static int all_seen(int v)
{
	for (int i = 0; i < THREADS; i++)
		if (atomic_load(&seen[i]) < v)
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS], w;
	void *walks;
	int replacements, fds0 = 0, maps0 = 0, fds1, maps1;
	long total_lookups, rss0 = 0, rss1;
	double worst = 0;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: stress DIR REPLACEMENTS LOOKUPS [races-only]\n");
		return 2;
	}
	replacements = atoi(argv[2]);
	/* valgrind runs one thread at a time, some 50 times slower */
	double deadline = argc == 5 ? 30.0 : 2.0;
	total_lookups = atol(argv[3]);
	snprintf(dir_path, sizeof dir_path, "%s", argv[1]);
	snprintf(db_path, sizeof db_path, "%s/db.lmdb", argv[1]);
	__nss_configure_lookup("services", "portdb");

	publish(1);
	/* Load the module here, before the threads: glibc orders its loading
	 * against their use with atomics that helgrind cannot see. */
	if (getservbyname("st", "tcp") == NULL)
		fail("first lookup failed");
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, looker, (void *)(intptr_t)i);
	pthread_create(&w, NULL, walker, NULL);
	for (double t0 = now(); !all_seen(1); usleep(1000))
		if (now() - t0 > deadline) {
			fail("version 1 not seen by every thread within %.0f s", deadline);
			break;
		}

	for (int v = 2; v <= replacements + 1; v++) {
		/* pick-up time counts from the rename: a slow fsync on a busy
		 * disk is not the module's */
		publish(v);
		double t0 = now();
		/* every version must show within the deadline */
		while (!all_seen(v) && now() - t0 < deadline && !atomic_load(&failures))
			usleep(200);
		if (!all_seen(v))
			fail("version %d not seen by every thread within %.0f s (they saw %d, %d, %d)",
			     v, deadline, atomic_load(&seen[0]), atomic_load(&seen[1]),
			     atomic_load(&seen[2]));
		if (now() - t0 > worst)
			worst = now() - t0;
		if (atomic_load(&failures))
			break;
		/* after a first round of replacements: the baseline */
		if (v == (replacements < 10 ? replacements + 1 : 11))
			count_resources(argv[1], &fds0, &maps0), rss0 = rss_kb();
	}
	/* then lookups alone, up to the total */
	long base = atomic_load(&lookups);
	long rss_mid = rss_kb();
	while (atomic_load(&lookups) - base < total_lookups && !atomic_load(&failures))
		usleep(10000);
	atomic_store(&stop, 1);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_join(w, &walks);
	count_resources(argv[1], &fds1, &maps1);
	rss1 = rss_kb();

	printf("stress: %d replacements, %ld lookups by %d threads, %ld enumerations, "
	       "slowest pick-up %.3f s\n",
	       replacements, atomic_load(&lookups), THREADS, (long)(intptr_t)walks, worst);
	printf("stress: descriptors %d -> %d, mappings %d -> %d, RSS %ld -> %ld kB "
	       "(%ld kB before the lookup-only phase)\n",
	       fds0, fds1, maps0, maps1, rss0, rss1, rss_mid);
	if (argc == 5)
		return atomic_load(&failures) ? 1 : 0;
	/* Each thread holds at most the database it last used, the process
	 * the current one: a bound that does not grow with the number of
	 * replacements. */
	if (fds1 > THREADS + 2 || maps1 > THREADS + 2)
		fail("descriptors or mappings grew: %d fds, %d maps", fds1, maps1);
	/* ASan keeps freed memory in quarantine: RSS says nothing there. */
	if (getenv("STRESS_NO_RSS") != NULL)
		return atomic_load(&failures) ? 1 : 0;
	if (rss1 - rss_mid > 1024)
		fail("RSS grew by %ld kB over the lookups", rss1 - rss_mid);
	if (rss1 - rss0 > 4096)
		fail("RSS grew by %ld kB over the replacements", rss1 - rss0);
	return atomic_load(&failures) ? 1 : 0;
}
