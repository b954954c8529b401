/* A program with LMDB functions of its own, exported (as a program that
 * embeds another LMDB and loads plugins would have): the module must
 * never call them.  Each one here aborts if called. */
#include <config.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int __nss_configure_lookup(const char *db, const char *service_line);

#define IMPOSTOR(name)                                                              \
	int name(void);                                                             \
	__attribute__((visibility("default"))) int name(void)                      \
	{                                                                           \
		fprintf(stderr, "FAIL: the module called the program's own " #name "\n"); \
		abort();                                                            \
	}

IMPOSTOR(mdb_env_create)
IMPOSTOR(mdb_env_open)
IMPOSTOR(mdb_env_close)
IMPOSTOR(mdb_env_get_fd)
IMPOSTOR(mdb_txn_begin)
IMPOSTOR(mdb_txn_abort)
IMPOSTOR(mdb_dbi_open)
IMPOSTOR(mdb_get)
IMPOSTOR(mdb_strerror)
IMPOSTOR(mdb_cursor_open)
IMPOSTOR(mdb_page_get)

int main(int argc, char **argv)
{
	struct servent *s;

	__nss_configure_lookup("services", "portdb");
	s = getservbyname(argc > 1 ? argv[1] : "ssh", "tcp");
	if (s == NULL) {
		fprintf(stderr, "FAIL: not found\n");
		return 1;
	}
	printf("%s %d/%s\n", s->s_name, ntohs((uint16_t)s->s_port), s->s_proto);
	return 0;
}
