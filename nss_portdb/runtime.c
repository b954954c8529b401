/* The module's process state.
 *
 * Lookups take no lock and write no shared memory: each thread keeps a
 * reference to the database it last used, and moves to a new one (under
 * the mutex) only when the current one changed.  The mutex guards only
 * the rare events: the once-a-second check of the file, a thread moving
 * to a newly opened database, and fork(). */
#include <config.h>

#include "runtime.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#ifndef PORTDB_DB_PATH
#error "PORTDB_DB_PATH must be defined by the build"
#endif

/* How often the database file and its sources are checked.  Tests set
 * NSS_PORTDB_RECHECK_MS to see a replacement at once; 0 checks on every
 * lookup (a stat per call). */
#define CHECK_INTERVAL_MS 1000
#define CHECK_INTERVAL_MAX_MS 60000

/* One opened version of the database file. */
struct handle {
	struct portdb *db;
	unsigned refs;            /* readers using it, plus one while current */
	atomic_int stale;         /* a source changed since the build */
	struct handle *next;      /* every live handle, for fork() */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct handle *_Atomic current;
static struct handle *all_handles;
static atomic_int unavailable = ENOENT;   /* why current is NULL */
static atomic_long next_check_ms;         /* 0: never checked */
static atomic_int forked;

static pthread_key_t reader_key;
static int init_failed;

static long now_ms(void)
{
	struct timespec ts;

	/* The coarse clock is read from the vDSO: no system call. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void handle_unref(struct handle *h)
{
	if (--h->refs > 0)
		return;
	for (struct handle **p = &all_handles; *p != NULL; p = &(*p)->next) {
		if (*p == h) {
			*p = h->next;
			break;
		}
	}
	portdb_close(h->db);
	free(h);
}

/* A thread's reference to the database it last used. */
struct reader {
	struct handle *handle;
};

/* Drop R's reference.  Called with the lock held. */
static void reader_detach(struct reader *r)
{
	if (r->handle == NULL)
		return;
	handle_unref(r->handle);
	r->handle = NULL;
}

static void reader_destroy(void *arg)
{
	struct reader *r = arg;

	pthread_mutex_lock(&lock);
	reader_detach(r);
	pthread_mutex_unlock(&lock);
	free(r);
}

static void atfork_prepare(void)
{
	pthread_mutex_lock(&lock);
}

static void atfork_parent(void)
{
	pthread_mutex_unlock(&lock);
}

/* LMDB forbids using an environment inherited across fork(); the child
 * reopens on its next lookup (see after_fork). */
static void atfork_child(void)
{
	pthread_mutex_unlock(&lock);
	atomic_store(&forked, 1);
}

static long check_interval_ms = CHECK_INTERVAL_MS;

/* Run when glibc loads the module, before any lookup can race it. */
__attribute__((constructor)) static void init(void)
{
	const char *v = secure_getenv("NSS_PORTDB_RECHECK_MS");

	if (v != NULL && *v != '\0') {
		char *end;
		long ms = strtol(v, &end, 10);
		if (*end == '\0' && ms >= 0 && ms <= CHECK_INTERVAL_MAX_MS)
			check_interval_ms = ms;
	}
	if (pthread_key_create(&reader_key, reader_destroy) != 0 ||
	    pthread_atfork(atfork_prepare, atfork_parent, atfork_child) != 0)
		init_failed = 1;
}

/* In a child after fork(): close every inherited environment (their
 * descriptors and mappings would leak) and start afresh.  The readers
 * of the parent's other threads do not exist here; only this thread's
 * own is reset.  Called with the lock held. */
static void after_fork(struct reader *self)
{
	if (self != NULL)
		self->handle = NULL;
	while (all_handles != NULL) {
		struct handle *h = all_handles;
		all_handles = h->next;
		portdb_close(h->db);
		free(h);
	}
	atomic_store(&current, NULL);
	atomic_store(&unavailable, ENOENT);
	atomic_store(&next_check_ms, 0);
	atomic_store(&forked, 0);
}

static const char *db_path(void)
{
	const char *p = secure_getenv("NSS_PORTDB_PATH");

	return p != NULL && *p != '\0' ? p : PORTDB_DB_PATH;
}

static void set_current(struct handle *h, int why)
{
	struct handle *old = atomic_load(&current);

	atomic_store(&unavailable, why);
	atomic_store(&current, h);
	if (old != NULL)
		handle_unref(old);
}

/* The same file, unchanged?  The change time covers chmod and chown, so
 * a file that became untrusted is reopened, and refused. */
static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mode == b->st_mode && a->st_uid == b->st_uid &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Reopen the database if the file changed, and see whether its sources
 * did.  Called with the lock held, at most about once a second. */
static void revalidate(long now)
{
	struct handle *h = atomic_load(&current);
	const char *path = db_path();
	struct stat st;
	int rc;

	atomic_store(&next_check_ms, now + check_interval_ms);
	if (lstat(path, &st) < 0) {
		set_current(NULL, errno);
		return;
	}
	if (h == NULL || !same_file(&st, &h->db->st)) {
		struct handle *n = calloc(1, sizeof *n);

		if (n == NULL) {
			set_current(NULL, ENOMEM);
			return;
		}
		rc = portdb_open(path, 0, &n->db, NULL, 0);
		if (rc != 0) {
			free(n);
			set_current(NULL, rc);
			return;
		}
		n->refs = 1;
		n->next = all_handles;
		all_handles = n;
		set_current(n, 0);
		h = n;
	}
	atomic_store(&h->stale, portdb_check_sources(h->db, NULL, 0) != 0);
}

static struct reader *get_reader(void)
{
	struct reader *r = pthread_getspecific(reader_key);

	if (r == NULL) {
		r = calloc(1, sizeof *r);
		if (r != NULL && pthread_setspecific(reader_key, r) != 0) {
			free(r);
			r = NULL;
		}
	}
	return r;
}

/* Move R to the current database.  Called with the lock held. */
static int reader_attach(struct reader *r)
{
	struct handle *h = atomic_load(&current);

	reader_detach(r);
	if (h == NULL)
		return atomic_load(&unavailable);
	h->refs++;
	r->handle = h;
	return 0;
}

int runtime_begin(const struct portdb **out)
{
	struct reader *r;
	struct handle *h;
	long now;
	int rc;

	if (init_failed)
		return ENOMEM;
	r = get_reader();
	if (r == NULL)
		return ENOMEM;

	now = now_ms();
	if (atomic_load(&forked) || now >= atomic_load(&next_check_ms)) {
		pthread_mutex_lock(&lock);
		if (atomic_load(&forked))
			after_fork(r);
		if (now >= atomic_load(&next_check_ms))
			revalidate(now);
		pthread_mutex_unlock(&lock);
	}

	h = atomic_load(&current);
	if (r->handle != h || h == NULL) {
		pthread_mutex_lock(&lock);
		rc = reader_attach(r);
		pthread_mutex_unlock(&lock);
		if (rc != 0)
			return rc;
		h = r->handle;
	}
	if (atomic_load_explicit(&h->stale, memory_order_relaxed))
		return ESTALE;
	*out = h->db;
	return 0;
}
