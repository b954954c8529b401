/* One getservbyname_r call through the real libc, with the services
 * database pinned to SERVICE (__nss_configure_lookup, so nsswitch.conf
 * does not matter) and a buffer of exactly BUFLEN bytes, for
 * tests/small-buffer.sh:
 *
 *   servbyname-r SERVICE BUFLEN NAME PROTO
 *
 * prints "found NAME PORT/PROTO [ALIAS...]", "notfound" or "ERANGE" (any
 * other return value as "error N").  Exit status 0 whatever the answer;
 * 2 on bad usage. */
#define _GNU_SOURCE 1

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int __nss_configure_lookup(const char *db, const char *service_line);

int main(int argc, char **argv)
{
	struct servent s, *res = NULL;
	char *end, *buf;
	unsigned long len;
	int rc;

	if (argc != 5) {
		fprintf(stderr, "usage: servbyname-r SERVICE BUFLEN NAME PROTO\n");
		return 2;
	}
	errno = 0;
	len = strtoul(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0' || errno != 0) {
		fprintf(stderr, "servbyname-r: BUFLEN '%s' is no number\n", argv[2]);
		return 2;
	}
	if (__nss_configure_lookup("services", argv[1]) != 0) {
		fprintf(stderr, "servbyname-r: cannot pin services to '%s'\n", argv[1]);
		return 2;
	}
	/* Exactly LEN bytes, so that a sanitizer or valgrind sees a write
	 * past the end. */
	buf = malloc(len > 0 ? len : 1);
	if (buf == NULL) {
		fprintf(stderr, "servbyname-r: out of memory\n");
		return 2;
	}
	rc = getservbyname_r(argv[3], argv[4], &s, buf, len, &res);
	if (rc == 0 && res != NULL) {
		printf("found %s %u/%s", res->s_name, ntohs((uint16_t)res->s_port), res->s_proto);
		for (char **a = res->s_aliases; *a != NULL; a++)
			printf(" %s", *a);
		printf("\n");
	} else if (rc == ERANGE) {
		printf("ERANGE\n");
	} else if (res == NULL && (rc == 0 || rc == ENOENT)) {
		printf("notfound\n");
	} else {
		printf("error %d\n", rc);
	}
	free(buf);
	return 0;
}
