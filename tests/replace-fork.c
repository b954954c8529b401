/* A lookup, the database replaced, a lookup, then fork() and a lookup in
 * the child, all through the real libc: run under another malloc
 * (tests/allocators.sh preloads one), every answer must be the current
 * database's and no process may die of a signal.
 * Usage: replace-fork NAME PORT NEXT NEXT_PORT
 * NSS_PORTDB_PATH is a database where NAME/tcp is PORT; NEXT, one where
 * it is NEXT_PORT, renamed over it after the first lookup. */
#include <config.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern int __nss_configure_lookup(const char *db, const char *service_line);

static const char *name;

/* 0 if NAME/tcp is WANT, else 1 with the reason on stderr. */
static int expect_port(const char *when, int want)
{
	struct servent *s = getservbyname(name, "tcp");
	int got = s != NULL ? ntohs((uint16_t)s->s_port) : -1;

	if (got == want)
		return 0;
	fprintf(stderr, "FAIL: %s: %s/tcp is %d, want %d\n", when, name, got, want);
	return 1;
}

int main(int argc, char **argv)
{
	const char *db = getenv("NSS_PORTDB_PATH");
	int port, next_port, status;
	pid_t pid;

	if (argc != 5 || db == NULL) {
		fprintf(stderr, "usage: NSS_PORTDB_PATH=DB replace-fork NAME PORT NEXT NEXT_PORT\n");
		return 2;
	}
	name = argv[1];
	port = atoi(argv[2]);
	next_port = atoi(argv[4]);
	__nss_configure_lookup("services", "portdb");

	if (expect_port("first lookup", port))
		return 1;
	if (rename(argv[3], db) != 0) {
		perror(argv[3]);
		return 2;
	}
	if (expect_port("after the replacement", next_port))
		return 1;
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0)
		_exit(expect_port("in the child", next_port));
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		return 2;
	}
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "FAIL: the child died of signal %d (%s)\n", WTERMSIG(status),
			strsignal(WTERMSIG(status)));
		return 1;
	}
	if (WEXITSTATUS(status) != 0)
		return 1;
	if (expect_port("in the parent after fork", next_port))
		return 1;
	printf("ok: %d, then %d after the replacement, in the child and in the parent\n", port,
	       next_port);
	return 0;
}
