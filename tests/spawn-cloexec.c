/* No child spawned by a threaded program inherits a descriptor of the
 * database, even while another thread makes the module open it again and
 * again: every descriptor the module opens is close-on-exec from the
 * start, not made so afterwards.
 *
 * One thread keeps replacing the database (A and B in turn, each linked
 * to a temporary name and renamed over the path, so the file changes
 * every time), another keeps looking up through the real libc, so the
 * module keeps reopening; the main thread spawns children that each look
 * for A or B among their own descriptors.
 *
 * Usage: spawn-cloexec A B SPAWNS   (NSS_PORTDB_PATH: the path to replace)
 *        spawn-cloexec --child A B  (the child: exit status 1 if it holds
 *                                    A or B, named on stderr) */
#include <config.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netdb.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern int __nss_configure_lookup(const char *db, const char *service_line);
extern char **environ;

#define NAME "spawn-test"

static const char *files[2], *db_path;
static char tmp_path[4096];
static atomic_int stop;
static atomic_long replacements, lookups, changes;

static int child(void)
{
	struct stat want[2], st;
	char link[300], target[4096];
	struct dirent *e;
	DIR *d;
	int held = 0;

	if (stat(files[0], &want[0]) != 0 || stat(files[1], &want[1]) != 0 ||
	    (d = opendir("/proc/self/fd")) == NULL) {
		perror("child");
		return 2;
	}
	while ((e = readdir(d)) != NULL) {
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
		if (stat(link, &st) != 0)
			continue;
		for (int i = 0; i < 2; i++) {
			if (st.st_dev != want[i].st_dev || st.st_ino != want[i].st_ino)
				continue;
			n = readlink(link, target, sizeof target - 1);
			target[n > 0 ? n : 0] = '\0';
			fprintf(stderr, "child %d: fd %s -> %s\n", (int)getpid(), e->d_name, target);
			held = 1;
		}
	}
	closedir(d);
	return held;
}

/* The path starts as A: renaming a second name of A over it would do
 * nothing (and leave the temporary behind), so the first is B. */
static void *replacer(void *arg)
{
	(void)arg;
	for (long i = 1; !atomic_load(&stop); i++) {
		if (link(files[i % 2], tmp_path) != 0 || rename(tmp_path, db_path) != 0) {
			perror(tmp_path);
			exit(2);
		}
		atomic_fetch_add(&replacements, 1);
	}
	return NULL;
}

static void *looker(void *arg)
{
	char buf[1024];
	struct servent s, *r;
	int last = -1;

	(void)arg;
	while (!atomic_load(&stop)) {
		if (getservbyname_r(NAME, "tcp", &s, buf, sizeof buf, &r) != 0 || r == NULL)
			continue;
		if (ntohs((uint16_t)s.s_port) != last && last != -1)
			atomic_fetch_add(&changes, 1);
		last = ntohs((uint16_t)s.s_port);
		atomic_fetch_add(&lookups, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	char self[4096];
	pthread_t t[2];
	int spawns, leaked = 0;
	ssize_t n;

	if (argc == 4 && strcmp(argv[1], "--child") == 0) {
		files[0] = argv[2], files[1] = argv[3];
		return child();
	}
	db_path = getenv("NSS_PORTDB_PATH");
	if (argc != 4 || db_path == NULL) {
		fprintf(stderr, "usage: NSS_PORTDB_PATH=DB spawn-cloexec A B SPAWNS\n");
		return 2;
	}
	files[0] = argv[1], files[1] = argv[2];
	spawns = atoi(argv[3]);
	snprintf(tmp_path, sizeof tmp_path, "%s.tmp", db_path);
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0) {
		perror("/proc/self/exe");
		return 2;
	}
	self[n] = '\0';
	__nss_configure_lookup("services", "portdb");
	if (getservbyname(NAME, "tcp") == NULL) {
		fprintf(stderr, "FAIL: %s/tcp not found before the replacements\n", NAME);
		return 1;
	}

	pthread_create(&t[0], NULL, replacer, NULL);
	pthread_create(&t[1], NULL, looker, NULL);
	for (int i = 0; i < spawns; i++) {
		char child_flag[] = "--child";
		char *args[] = { self, child_flag, argv[1], argv[2], NULL };
		int status, rc;
		pid_t pid;

		rc = posix_spawn(&pid, self, NULL, NULL, args, environ);
		if (rc != 0) {
			fprintf(stderr, "posix_spawn: %s\n", strerror(rc));
			return 2;
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) > 1) {
			fprintf(stderr, "FAIL: child %d did not finish its check\n", (int)pid);
			return 1;
		}
		leaked += WEXITSTATUS(status);
	}
	atomic_store(&stop, 1);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);

	printf("spawn-cloexec: %d children, %d held a database descriptor; %ld replacements, "
	       "%ld lookups, %ld changed answers\n",
	       spawns, leaked, atomic_load(&replacements), atomic_load(&lookups),
	       atomic_load(&changes));
	if (atomic_load(&changes) == 0) {
		fprintf(stderr, "FAIL: no lookup saw a replacement: the module never reopened\n");
		return 1;
	}
	if (leaked > 0) {
		fprintf(stderr, "FAIL: %d of %d children inherited the database\n", leaked, spawns);
		return 1;
	}
	return 0;
}
