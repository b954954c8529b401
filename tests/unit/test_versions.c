/* Versions of the database in one process: a replaced version is
 * unmapped once no lookup reads it, even while the threads that used it
 * sit idle, and an enumeration walks the version it began on. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netdb.h>
#include <nss.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "collect.h"
#include "module_harness.h"
#include "writer.h"

/* N entries "PREFIX-i i/tcp", i = 1..N. */
static void publish_many(const char *prefix, int n)
{
	size_t cap = (size_t)n * 32 + 1, len = 0;
	char *text = malloc(cap);

	assert_non_null(text);
	text[0] = '\0';
	for (int i = 1; i <= n; i++)
		len += (size_t)snprintf(text + len, cap - len, "%s-%d %d/tcp\n", prefix, i, i);
	publish(text);
	free(text);
}

static int port_of(const char *name)
{
	char buf[1024];
	struct servent s;
	int err = 0;

	if (byname(name, "tcp", &s, buf, sizeof buf, &err) != NSS_STATUS_SUCCESS)
		return -1;
	return ntohs((uint16_t)s.s_port);
}

/* How many mappings of a database file this process has, replaced
 * (deleted) versions included. */
static int db_mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[1024];
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL)
		if (strstr(line, dir) != NULL && strstr(line, "db.lmdb") != NULL)
			n++;
	fclose(f);
	return n;
}

static int setup_all(void **state)
{
	(void)state;
	return harness_setup("versions");
}

static int teardown_all(void **state)
{
	(void)state;
	return harness_teardown();
}

#define IDLE_THREADS 8

static pthread_mutex_t idle_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_cond = PTHREAD_COND_INITIALIZER;
static int looked_up, release_idle;
static int idle_port[IDLE_THREADS];

/* One lookup, then idle until told to exit. */
static void *idle_thread(void *arg)
{
	int *port = arg;

	*port = port_of("alpha");
	pthread_mutex_lock(&idle_lock);
	looked_up++;
	pthread_cond_broadcast(&idle_cond);
	while (!release_idle)
		pthread_cond_wait(&idle_cond, &idle_lock);
	pthread_mutex_unlock(&idle_lock);
	return NULL;
}

static void test_idle_threads_pin_nothing(void **state)
{
	pthread_t t[IDLE_THREADS];
	char text[64];

	(void)state;
	/* Thread I looks up in version I and stays idle. */
	for (int i = 0; i < IDLE_THREADS; i++) {
		snprintf(text, sizeof text, "alpha %d/tcp\n", 100 + i);
		publish(text);
		assert_int_equal(pthread_create(&t[i], NULL, idle_thread, &idle_port[i]), 0);
		pthread_mutex_lock(&idle_lock);
		while (looked_up < i + 1)
			pthread_cond_wait(&idle_cond, &idle_lock);
		pthread_mutex_unlock(&idle_lock);
		assert_int_equal(idle_port[i], 100 + i);
	}
	publish("alpha 200/tcp\n");
	assert_int_equal(port_of("alpha"), 200);
	/* Only the current version is mapped: the idle threads hold none. */
	assert_int_equal(db_mappings(), 1);

	pthread_mutex_lock(&idle_lock);
	release_idle = 1;
	pthread_cond_broadcast(&idle_cond);
	pthread_mutex_unlock(&idle_lock);
	for (int i = 0; i < IDLE_THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(port_of("alpha"), 200);
}

/* Walk until the end; @return the number of entries, and fail on a name
 * without PREFIX. */
static int walk_rest(const char *prefix)
{
	char buf[1024];
	struct servent s;
	int err, n = 0;

	while (getent(&s, buf, sizeof buf, &err) == NSS_STATUS_SUCCESS) {
		if (strncmp(s.s_name, prefix, strlen(prefix)) != 0)
			fail_msg("entry %s in a walk of the %s version", s.s_name, prefix);
		n++;
	}
	return n;
}

static void test_enumeration_keeps_its_version(void **state)
{
	char buf[1024];
	struct servent s;
	int err;

	(void)state;
	publish_many("old", 200);
	assert_int_equal(setent(0), NSS_STATUS_SUCCESS);
	for (int i = 1; i <= 100; i++) {
		assert_int_equal(getent(&s, buf, sizeof buf, &err), NSS_STATUS_SUCCESS);
		assert_string_equal(s.s_name, i == 1 ? "old-1" : s.s_name);
	}
	publish_many("new", 300);
	/* A lookup sees the new version at once; the walk keeps the old. */
	assert_int_equal(port_of("new-300"), 300);
	assert_int_equal(port_of("old-150"), -1);
	assert_int_equal(db_mappings(), 2);
	assert_int_equal(walk_rest("old-"), 100);
	/* Past its end the walk holds nothing, and stays at the end. */
	assert_int_equal(db_mappings(), 1);
	assert_int_equal(getent(&s, buf, sizeof buf, &err), NSS_STATUS_NOTFOUND);
	assert_int_equal(endent(), NSS_STATUS_SUCCESS);

	assert_int_equal(setent(0), NSS_STATUS_SUCCESS);
	assert_int_equal(walk_rest("new-"), 300);
	assert_int_equal(endent(), NSS_STATUS_SUCCESS);

	/* endservent in the middle releases the version too. */
	assert_int_equal(setent(0), NSS_STATUS_SUCCESS);
	assert_int_equal(getent(&s, buf, sizeof buf, &err), NSS_STATUS_SUCCESS);
	publish_many("third", 10);
	assert_int_equal(port_of("third-10"), 10);
	assert_int_equal(db_mappings(), 2);
	assert_int_equal(endent(), NSS_STATUS_SUCCESS);
	assert_int_equal(db_mappings(), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idle_threads_pin_nothing),
		cmocka_unit_test(test_enumeration_keeps_its_version),
	};

	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
