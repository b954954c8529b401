/* A progress line for long builds on a terminal.  A thread of its own
 * draws it on a timer: build's sink only bumps a counter per entry, and
 * the publish, which calls nothing back, still shows its phase. */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "portdb.h"

#define SHOW_AFTER_MS 1000
#define REDRAW_MS 200

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	int running, stop, shown;
	char phase[256];
	atomic_ulong count;
} pg = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void add_ms(struct timespec *t, long ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static void *draw_loop(void *arg)
{
	struct timespec when;
	char shown_phase[sizeof pg.phase] = "";
	unsigned long shown_n = 0;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &when);
	add_ms(&when, SHOW_AFTER_MS);
	pthread_mutex_lock(&pg.lock);
	while (!pg.stop) {
		int rc = pthread_cond_timedwait(&pg.cond, &pg.lock, &when);
		unsigned long n;

		if (pg.stop || rc != ETIMEDOUT)
			continue;
		n = atomic_load(&pg.count);
		if (pg.shown && n == shown_n && strcmp(pg.phase, shown_phase) == 0) {
			add_ms(&when, REDRAW_MS);   /* nothing new to say */
			continue;
		}
		shown_n = n;
		snprintf(shown_phase, sizeof shown_phase, "%s", pg.phase);
		if (n > 0)
			fprintf(stderr, "\r\033[K%s: %s: %lu %s", progname, pg.phase, n,
				plural(n, "entry", "entries"));
		else
			fprintf(stderr, "\r\033[K%s: %s", progname, pg.phase);
		fflush(stderr);
		pg.shown = 1;
		clock_gettime(CLOCK_MONOTONIC, &when);
		add_ms(&when, REDRAW_MS);
	}
	if (pg.shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	pthread_mutex_unlock(&pg.lock);
	return NULL;
}

void progress_start(void)
{
	pthread_condattr_t attr;

	if (pg.running || !isatty(STDERR_FILENO))
		return;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&pg.cond, &attr);
	pthread_condattr_destroy(&attr);
	pg.stop = pg.shown = 0;
	pg.phase[0] = '\0';
	atomic_store(&pg.count, 0);
	if (pthread_create(&pg.thread, NULL, draw_loop, NULL) == 0)
		pg.running = 1;
	else
		pthread_cond_destroy(&pg.cond);
}

void progress_phase(const char *what)
{
	if (!pg.running)
		return;
	pthread_mutex_lock(&pg.lock);
	snprintf(pg.phase, sizeof pg.phase, "%s", what);
	pthread_mutex_unlock(&pg.lock);
}

void progress_count(unsigned long n)
{
	atomic_store_explicit(&pg.count, n, memory_order_relaxed);
}

void progress_stop(void)
{
	if (!pg.running)
		return;
	pthread_mutex_lock(&pg.lock);
	pg.stop = 1;
	pthread_cond_signal(&pg.cond);
	pthread_mutex_unlock(&pg.lock);
	pthread_join(pg.thread, NULL);
	pthread_cond_destroy(&pg.cond);
	pg.running = 0;
}
