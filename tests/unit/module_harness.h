/* What the unit tests that load the built module share: its entry
 * points, found with dlsym; a scratch directory that holds the database
 * and its source, named to the module by NSS_PORTDB_PATH; and publishing
 * services text there as `portdb build` would. */
#ifndef PORTDB_TEST_MODULE_HARNESS_H
#define PORTDB_TEST_MODULE_HARNESS_H

#include <netdb.h>
#include <nss.h>
#include <stddef.h>

typedef enum nss_status byname_fn(const char *, const char *, struct servent *, char *,
				  size_t, int *);
typedef enum nss_status byport_fn(int, const char *, struct servent *, char *, size_t, int *);
typedef enum nss_status setent_fn(int);
typedef enum nss_status endent_fn(void);
typedef enum nss_status getent_fn(struct servent *, char *, size_t, int *);

extern byname_fn *byname;
extern byport_fn *byport;
extern setent_fn *setent;
extern endent_fn *endent;
extern getent_fn *getent;

/* The scratch directory, the database in it, the source in it. */
extern char dir[256], db_path[300], src_path[300];

/* Load $NSS_MODULE_DIR/libnss_portdb.so.2 (.libs by default) with every
 * change seen at once (NSS_PORTDB_RECHECK_MS=0), and make the directory
 * /tmp/portdb-NAME.XXXXXX.  @return 0, or -1 with a message. */
int harness_setup(const char *name);
/* Remove the directory.  @return 0, or -1. */
int harness_teardown(void);

/* Write services TEXT to src_path and publish it to db_path; a failure
 * fails the test. */
void publish(const char *text);

#endif
