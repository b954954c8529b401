/* After fork() the child opens the database afresh (LMDB forbids using an
 * environment inherited across fork): a child forked right after a
 * replacement answers from the new database at once, while the parent,
 * within its one-second recheck interval, still answers from the old.
 * Usage: fork-child DIR   (NSS_PORTDB_PATH=DIR/db.lmdb) */
#include <config.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect.h"
#include "writer.h"

extern int __nss_configure_lookup(const char *db, const char *service_line);

static char dir[400];

static void publish(int port)
{
	const struct collect_opts opts = { .format = SVC_FORMAT_SERVICES };
	struct entry_set set = { 0 };
	char path[512], err[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/services.%d", dir, port);
	f = fopen(path, "w");
	if (f == NULL)
		exit(2);
	fprintf(f, "forked %d/tcp\n", port);
	fclose(f);
	snprintf(path, sizeof path, "%s/services.%d", dir, port);
	if (entry_set_add_source(&set, path, &opts, err, sizeof err) != 0)
		exit(2);
	snprintf(path, sizeof path, "%s/db.lmdb", dir);
	if (portdb_publish(&set, path, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		exit(2);
	}
	entry_set_free(&set);
}

static int port(void)
{
	struct servent *s = getservbyname("forked", "tcp");

	return s != NULL ? ntohs((uint16_t)s->s_port) : -1;
}

int main(int argc, char **argv)
{
	int status, parent_after;
	pid_t pid;

	if (argc != 2)
		return 2;
	snprintf(dir, sizeof dir, "%s", argv[1]);
	__nss_configure_lookup("services", "portdb");
	publish(101);
	if (port() != 101) {
		fprintf(stderr, "FAIL: the first database does not answer\n");
		return 1;
	}
	publish(102);
	pid = fork();
	if (pid == 0)
		_exit(port() == 102 ? 0 : 1);
	parent_after = port();
	waitpid(pid, &status, 0);
	if (parent_after != 101) {
		/* the parent rechecked already: the machine was too slow to
		 * tell the two apart this time */
		printf("SKIP: the parent saw the new database too soon (%d)\n", parent_after);
		return 77;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "FAIL: the child answered from the inherited database\n");
		return 1;
	}
	printf("ok: the child reopened (102) while the parent still had 101\n");
	return 0;
}
