/* The module's process state.
 *
 * Lookups take no lock.  A thread announces the version it reads in its
 * own slot (struct reader) for the length of one lookup, and clears it
 * after; nothing else is written.  A version that is no longer current
 * is retired, and unmapped as soon as no slot names it and no
 * enumeration holds it: a thread that goes idle after a lookup pins
 * nothing.  The mutex guards only the rare events: the once-a-second
 * check of the file, a thread's first lookup, an enumeration's start
 * and end, and fork().
 *
 * Why the slot is safe without a lock: the reader stores its slot and
 * then loads `current` again, the retirer stores `current` and then
 * loads every slot, all sequentially consistent.  So either the reader
 * sees the new version (and retries without touching the old one) or
 * the retirer sees the slot (and keeps the old version). */
#include <config.h>

#include "runtime.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "valgrind.h"

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
	unsigned holds;           /* enumerations walking it */
	atomic_int stale;         /* a source changed since the build */
	struct handle *next;      /* on the retired list */
};

/* A thread's slot: the version its lookup in progress reads, or NULL.
 * A cache line of its own, so that lookups on other threads never
 * contend for it. */
struct reader {
	_Alignas(64) struct handle *_Atomic active;
	const struct handle *seen;   /* the last version it met the lock for */
	struct reader *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t enum_lock = PTHREAD_MUTEX_INITIALIZER;
static struct handle *_Atomic current;
static struct handle *retired;            /* replaced, not yet unmapped */
static struct reader *readers;            /* every thread's slot */
static atomic_int unavailable = ENOENT;   /* why current is NULL */
static atomic_long next_check_ms;         /* 0: never checked */
static atomic_int forked;

/* The enumeration, per process as in nss_files. */
static struct handle *enum_handle;
static uint32_t enum_pos;
static int enum_done;

static pthread_key_t reader_key;
static int init_failed;
static long check_interval_ms = CHECK_INTERVAL_MS;

static long now_ms(void)
{
	struct timespec ts;

	/* The coarse clock is read from the vDSO: no system call. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int in_use(const struct handle *h)
{
	if (h->holds > 0 || h == atomic_load(&current))
		return 1;
	for (const struct reader *r = readers; r != NULL; r = r->next)
		if (atomic_load(&r->active) == h)
			return 1;
	return 0;
}

/* Unmap every retired version nobody reads.  Called with the lock held. */
static void reclaim(void)
{
	struct handle **p = &retired;

	while (*p != NULL) {
		struct handle *h = *p;

		if (in_use(h)) {
			p = &h->next;
			continue;
		}
		*p = h->next;
		/* No slot names H: its readers are done (the top of this
		 * file), an ordering helgrind cannot see through atomics. */
		VALGRIND_HG_CLEAN_MEMORY(h, sizeof *h);
		portdb_close(h->db);
		free(h);
	}
}

static void set_current(struct handle *h, int why)
{
	struct handle *old = atomic_load(&current);

	atomic_store(&unavailable, why);
	atomic_store(&current, h);
	if (old != NULL && old != h) {
		old->next = retired;
		retired = old;
	}
	reclaim();
}

static void reader_destroy(void *arg)
{
	struct reader *r = arg;

	pthread_mutex_lock(&lock);
	for (struct reader **p = &readers; *p != NULL; p = &(*p)->next) {
		if (*p == r) {
			*p = r->next;
			break;
		}
	}
	reclaim();
	pthread_mutex_unlock(&lock);
	free(r);
}

static void atfork_prepare(void)
{
	pthread_mutex_lock(&enum_lock);
	pthread_mutex_lock(&lock);
}

static void atfork_parent(void)
{
	pthread_mutex_unlock(&lock);
	pthread_mutex_unlock(&enum_lock);
}

/* The mapping is inherited and stays valid; only the other threads'
 * slots are gone with their threads (see after_fork). */
static void atfork_child(void)
{
	pthread_mutex_unlock(&lock);
	pthread_mutex_unlock(&enum_lock);
	atomic_store(&forked, 1);
}

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

/* In a child after fork(): the slots of the parent's other threads name
 * versions no thread here reads; drop them, keep this thread's own, and
 * check the file again.  Called with the lock held. */
static void after_fork(struct reader *self)
{
	struct reader *r = readers;

	readers = NULL;
	while (r != NULL) {
		struct reader *next = r->next;

		if (r == self) {
			r->next = readers;
			readers = r;
		} else {
			free(r);
		}
		r = next;
	}
	atomic_store(&next_check_ms, 0);
	atomic_store(&forked, 0);
	reclaim();
}

static const char *db_path(void)
{
	const char *p = secure_getenv("NSS_PORTDB_PATH");

	return p != NULL && *p != '\0' ? p : PORTDB_DB_PATH;
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
	/* With nothing open, the open's own fstat tells what the file is:
	 * an lstat first would cost a system call in every process. */
	if (h != NULL && lstat(path, &st) < 0) {
		set_current(NULL, errno);
		return;
	}
	if (h == NULL || !same_file(&st, portdb_stat(h->db))) {
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
		set_current(n, 0);
		h = n;
	}
	atomic_store(&h->stale, portdb_check_sources(h->db, NULL, 0) != 0);
}

/* This thread's slot, made and registered on its first lookup. */
static struct reader *get_reader(void)
{
	struct reader *r = pthread_getspecific(reader_key);

	if (r != NULL)
		return r;
	r = aligned_alloc(_Alignof(struct reader), sizeof *r);
	if (r == NULL)
		return NULL;
	atomic_init(&r->active, NULL);
	r->seen = NULL;
	/* The slot is read and written concurrently by design (see the top
	 * of this file), which helgrind cannot tell from a race. */
	VALGRIND_HG_DISABLE_CHECKING(&r->active, sizeof r->active);
	if (pthread_setspecific(reader_key, r) != 0) {
		free(r);
		return NULL;
	}
	pthread_mutex_lock(&lock);
	r->next = readers;
	readers = r;
	pthread_mutex_unlock(&lock);
	return r;
}

/* The check that runs about once a second, and after fork(). */
__attribute__((noinline)) static void revalidate_locked(struct reader *self, long now)
{
	pthread_mutex_lock(&lock);
	if (atomic_load(&forked))
		after_fork(self);
	if (now >= atomic_load(&next_check_ms))
		revalidate(now);
	pthread_mutex_unlock(&lock);
}

static inline void maybe_revalidate(struct reader *self)
{
	long now = now_ms();

	if (atomic_load_explicit(&forked, memory_order_relaxed) ||
	    now >= atomic_load_explicit(&next_check_ms, memory_order_relaxed))
		revalidate_locked(self, now);
}

int runtime_begin(struct runtime_lookup *l, const struct portdb **out)
{
	struct reader *r;
	struct handle *h;

	if (init_failed)
		return ENOMEM;
	r = get_reader();
	if (r == NULL)
		return ENOMEM;
	maybe_revalidate(r);
	for (;;) {
		h = atomic_load(&current);
		if (h == NULL)
			return atomic_load(&unavailable);
		atomic_store(&r->active, h);
		if (atomic_load(&current) == h)
			break;
		/* Replaced in between: H may be gone; never touch it. */
	}
	/* The atomics above suffice; passing through the lock once per
	 * version as well lets helgrind see who made the version. */
	if (h != r->seen) {
		pthread_mutex_lock(&lock);
		pthread_mutex_unlock(&lock);
		r->seen = h;
	}
	if (atomic_load_explicit(&h->stale, memory_order_relaxed)) {
		atomic_store_explicit(&r->active, NULL, memory_order_release);
		return ESTALE;
	}
	l->reader = r;
	*out = h->db;
	return 0;
}

void runtime_end(struct runtime_lookup *l)
{
	struct reader *r = l->reader;

	atomic_store_explicit(&r->active, NULL, memory_order_release);
}

/* Drop the walk's version.  Called with enum_lock held. */
static void enum_release(void)
{
	if (enum_handle == NULL)
		return;
	pthread_mutex_lock(&lock);
	enum_handle->holds--;
	reclaim();
	pthread_mutex_unlock(&lock);
	enum_handle = NULL;
}

int runtime_enum_begin(const struct portdb **out, uint32_t *pos)
{
	struct reader *r;
	struct handle *h;
	int rc = 0;

	if (init_failed)
		return ENOMEM;
	pthread_mutex_lock(&enum_lock);
	if (enum_done) {
		*out = NULL;
		*pos = 0;
		return 0;
	}
	if (enum_handle == NULL) {
		r = get_reader();
		if (r == NULL) {
			pthread_mutex_unlock(&enum_lock);
			return ENOMEM;
		}
		maybe_revalidate(r);
		pthread_mutex_lock(&lock);
		h = atomic_load(&current);
		if (h == NULL)
			rc = atomic_load(&unavailable);
		else if (atomic_load(&h->stale))
			rc = ESTALE;
		else
			h->holds++;
		pthread_mutex_unlock(&lock);
		if (rc != 0) {
			pthread_mutex_unlock(&enum_lock);
			return rc;
		}
		enum_handle = h;
	}
	*out = enum_handle->db;
	*pos = enum_pos;
	return 0;
}

void runtime_enum_end(int advance, int at_end)
{
	if (advance)
		enum_pos++;
	if (at_end) {
		enum_release();
		enum_done = 1;
	}
	pthread_mutex_unlock(&enum_lock);
}

void runtime_enum_reset(void)
{
	pthread_mutex_lock(&enum_lock);
	enum_release();
	enum_pos = 0;
	enum_done = 0;
	pthread_mutex_unlock(&enum_lock);
}
