/* The shared harness of the module's unit tests (module_harness.h). */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "collect.h"
#include "module_harness.h"
#include "writer.h"

byname_fn *byname;
byport_fn *byport;
setent_fn *setent;
endent_fn *endent;
getent_fn *getent;
char dir[256], db_path[300], src_path[300];

int harness_setup(const char *name)
{
	const char *lib = getenv("NSS_MODULE_DIR");
	char path[512];
	void *h;

	snprintf(path, sizeof path, "%s/libnss_portdb.so.2", lib ? lib : ".libs");
	setenv("NSS_PORTDB_RECHECK_MS", "0", 1);
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
		return -1;
	}
	byname = (byname_fn *)dlsym(h, "_nss_portdb_getservbyname_r");
	byport = (byport_fn *)dlsym(h, "_nss_portdb_getservbyport_r");
	setent = (setent_fn *)dlsym(h, "_nss_portdb_setservent");
	endent = (endent_fn *)dlsym(h, "_nss_portdb_endservent");
	getent = (getent_fn *)dlsym(h, "_nss_portdb_getservent_r");
	if (!byname || !byport || !setent || !endent || !getent) {
		fprintf(stderr, "%s: an entry point is missing\n", path);
		return -1;
	}
	snprintf(dir, sizeof dir, "/tmp/portdb-%s.XXXXXX", name);
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return -1;
	}
	chmod(dir, 0755);
	snprintf(db_path, sizeof db_path, "%s/db.lmdb", dir);
	snprintf(src_path, sizeof src_path, "%s/services", dir);
	setenv("NSS_PORTDB_PATH", db_path, 1);
	return 0;
}

int harness_teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

void publish(const char *text)
{
	const struct collect_opts opts = { .format = SVC_FORMAT_SERVICES };
	struct entry_set set = { 0 };
	char err[512];
	FILE *f = fopen(src_path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(entry_set_add_source(&set, src_path, &opts, err, sizeof err), 0);
	if (portdb_publish(&set, db_path, err, sizeof err) != 0)
		fail_msg("publish: %s", err);
	entry_set_free(&set);
}
