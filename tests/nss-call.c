/* One call of the module's _nss_portdb_getservbyname_r, loaded with
 * dlopen from $NSS_MODULE_DIR as glibc loads it, and the status it
 * returned, for shell tests:
 *
 *   nss-call NAME PROTO [maps]
 *
 * prints "SUCCESS NAME PORT/PROTO", "NOTFOUND", "UNAVAIL" or "TRYAGAIN"
 * (with errno), and with "maps", then every file this process has
 * mapped, one "mapped PATH" line each.  Exit status 0 whatever the
 * status; 2 if the module cannot be called. */
#include <config.h>

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netdb.h>
#include <nss.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum nss_status byname_fn(const char *, const char *, struct servent *, char *,
				  size_t, int *);

static void print_maps(void)
{
	char line[4608], last[4096] = "";
	FILE *f = fopen("/proc/self/maps", "re");

	while (f != NULL && fgets(line, sizeof line, f) != NULL) {
		char *path = strchr(line, '/');

		if (path == NULL)
			continue;
		path[strcspn(path, "\n")] = '\0';
		if (strcmp(path, last) != 0)   /* one line per file, not per segment */
			printf("mapped %s\n", path);
		snprintf(last, sizeof last, "%s", path);
	}
	if (f != NULL)
		fclose(f);
}

int main(int argc, char **argv)
{
	const char *dir = getenv("NSS_MODULE_DIR");
	char path[4096], buf[1024];
	struct servent s;
	int err = 0;
	byname_fn *byname;
	enum nss_status st;
	void *h;

	if ((argc != 3 && argc != 4) || (argc == 4 && strcmp(argv[3], "maps") != 0)) {
		fprintf(stderr, "usage: nss-call NAME PROTO [maps]\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/libnss_portdb.so.2", dir != NULL ? dir : ".libs");
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	byname = h != NULL ? (byname_fn *)dlsym(h, "_nss_portdb_getservbyname_r") : NULL;
	if (byname == NULL) {
		fprintf(stderr, "nss-call: %s\n", dlerror());
		return 2;
	}
	st = byname(argv[1], argv[2], &s, buf, sizeof buf, &err);
	switch (st) {
	case NSS_STATUS_SUCCESS:
		printf("SUCCESS %s %d/%s\n", s.s_name, ntohs((uint16_t)s.s_port), s.s_proto);
		break;
	case NSS_STATUS_NOTFOUND:
		printf("NOTFOUND\n");
		break;
	case NSS_STATUS_UNAVAIL:
		printf("UNAVAIL\n");
		break;
	case NSS_STATUS_TRYAGAIN:
		printf("TRYAGAIN errno=%d\n", err);
		break;
	default:
		printf("status %d\n", (int)st);
	}
	if (argc == 4)
		print_maps();
	return 0;
}
