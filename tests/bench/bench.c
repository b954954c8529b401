/* nss-bench: time services lookups through the REAL libc, one process,
 * several NSS services alternated round by round.
 *
 *   nss-bench [OPTIONS] MODE...          MODE: lookups threads enum
 *   nss-bench [OPTIONS] memory           one service (--services S)
 *   nss-bench [OPTIONS] run -- LABEL CMD ARGS... [:: LABEL CMD ARGS...]...
 *   nss-bench [OPTIONS] memlat BYTES
 *   nss-bench [OPTIONS] first NAME PROTO
 *   nss-bench [OPTIONS] pagecost FILE
 *
 * The services to compare are given as --services LABEL=NSSNAME,... (or
 * just NSSNAME); each is selected in turn with
 * __nss_configure_lookup ("services", NSSNAME), so nsswitch.conf does not
 * matter.  The label "floor" marks the do-nothing module: every lookup is
 * expected to find nothing.  NSSNAME "direct:NAME" calls the module's
 * _nss_NAME_getservbyname_r/_getservbyport_r itself (dlopen of
 * libnss_NAME.so.2), without glibc's dispatch: what the module alone
 * costs, and how it scales with threads.  Only the lookups and threads
 * modes take such a service.  NSSNAME "nsswitch.conf" pins nothing: the
 * process asks as nsswitch.conf says, and so through nscd when one runs
 * (glibc's client asks nscd first unless the database was pinned: one
 * __nss_configure_lookup turns nscd off for the rest of the process, so
 * such a service cannot share a process with pinned ones).
 *
 * Query keys come from the services file as glibc reads it: the program
 * enumerates the `files` service (so /etc/services must be the dataset,
 * e.g. bind-mounted in a private mount namespace), then samples entries
 * uniformly with a fixed seed.  Eight kinds of query, KEYS keys each:
 *
 *   byname  hit-proto  a name or alias of the entry, with its protocol
 *   byname  hit-null   the same, protocol NULL
 *   byname  miss-proto a name present nowhere in the file, with a protocol
 *   byname  miss-null  the same, protocol NULL
 *   byport  hit-proto / hit-null / miss-proto / miss-null   likewise with
 *           the entry's port, or a port present nowhere in the file
 *
 * Half hits, half misses.  Every answer is checked (a hit must be found, a
 * miss must not); wrong answers are counted and reported in the note
 * column as bad=N.
 *
 * Modes:
 *   lookups  ROUNDS rounds; in each, every service (in an order rotated
 *            each round) runs every kind for about TARGET ms (at least one
 *            call; the count per service and kind is calibrated first).
 *            Reports ns per call: median, min and max over the rounds.
 *            Before its timed calls a fast service replays the same keys
 *            untimed, so that the caches hold what its previous turn left
 *            there, not what the service before it brought in.  Also
 *            reported: the process's first call to each service (module
 *            loading and opening included: "firstcall") and the mean of
 *            the first pass over each kind's keys ("firstpass": a fresh
 *            mapping's page faults and cold caches included).  With
 *            --prime N the first N keys of every kind are asked once,
 *            untimed, before the first pass: a cache (nscd) then holds
 *            them all when the timing starts.
 *   threads  lookups per second with each thread count, all eight kinds
 *            mixed, for THREAD_MS per measurement, alternated in rounds;
 *            also the CPU time the process got (in cores: a busy machine
 *            may not give 2 threads 2 cores) and lookups per CPU-second.
 *   enum     the time of a whole setservent/getservent_r/endservent walk.
 *   memory   private memory the process gains from the module: read
 *            /proc/self/smaps_rollup before the service's first lookup and
 *            after CALLS lookups (or MAX_SECONDS), print the differences.
 *   memlat BYTES  the memory a lookup cannot avoid: the time of one
 *            dependent read of a random cache line in BYTES of memory
 *            (4 KiB pages, as the database's file mapping has), ROUNDS
 *            rounds.  A lookup in a database of that size makes at least
 *            one such read once it no longer fits in the caches.
 *   run      run the commands (stdout to /dev/null) alternately, ROUNDS
 *            times each after --warmup untimed runs, and report the wall time
 *            of the whole process and its peak RSS (wait4's ru_maxrss: the
 *            largest process in the command's tree).
 *   first NAME PROTO  the first lookup in a fresh process: ROUNDS times
 *            per service (alternated, order rotated each round, after
 *            --warmup untimed rounds), exec this program afresh, pin the
 *            service, and time getservbyname_r (NAME, PROTO) alone inside
 *            that process: loading the module and opening its files
 *            included, exec and exit not.  A service whose samples have
 *            taken --max-seconds of wall time in all gets no more rounds
 *            (its row says how many it got).
 *   pagecost FILE  what one page of FILE (in the page cache) costs a
 *            fresh process: ROUNDS times after --warmup, exec this program
 *            afresh, open and map FILE, fault in 8 pages far apart through
 *            the mapping and pread 8 others, and report the mean of each
 *            per process (and the open and fstat), medians over the rounds.
 *
 * Output: CSV rows on stdout, no header:
 *   section,dataset,entries,service,metric,variant,median,min,max,unit,
 *   rounds,per_round,note
 * Progress goes to stderr.  Exit 0 on success, 1 on a bad answer in a
 * service that must be exact (any but "floor" and "db"), 2 on usage, 3 on
 * other errors.
 *
 * No dependency on the project's internals: it talks to libc only.  */

#define _GNU_SOURCE 1

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <nss.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern int __nss_configure_lookup (const char *db, const char *service_line);

#define BUFLEN ((size_t) 64 * 1024)
#define NKINDS 8
#define MAX_SERVICES 8
#define MAX_THREADS 64
#define REWARM_MIN 16

static const char *const kind_metric[NKINDS] = {
  "byname", "byname", "byname", "byname",
  "byport", "byport", "byport", "byport",
};
static const char *const kind_variant[NKINDS] = {
  "hit-proto", "hit-null", "miss-proto", "miss-null",
  "hit-proto", "hit-null", "miss-proto", "miss-null",
};
static bool
kind_is_hit (int k)
{
  return (k & 2) == 0;
}

/* ------------------------------------------------------------ options */

static struct
{
  const char *dataset;
  int rounds;
  double target_ms;
  double warm_ms;
  int nkeys;
  uint64_t seed;
  int thread_counts[8];
  int nthread_counts;
  int thread_rounds;
  double thread_ms;
  int enum_rounds;
  int warmup;
  int ok_status;
  double enum_max_seconds;
  long calls;
  double max_seconds;
  const char *entries_label;
  int prime;
  const char *note;
} opt = {
  .dataset = "-",
  .rounds = 15,
  .target_ms = 5,
  .warm_ms = 200,
  .nkeys = 4096,
  .seed = 20240601,
  .thread_counts = { 1, 2, 4 },
  .nthread_counts = 3,
  .thread_rounds = 5,
  .thread_ms = 150,
  .enum_rounds = 5,
  .warmup = 1,
  .ok_status = 0,
  .enum_max_seconds = 10,
  .calls = 100000,
  .max_seconds = 2,
  .entries_label = NULL,
  .prime = 0,
  .note = "",
};

typedef enum nss_status byname_fn (const char *, const char *,
                                   struct servent *, char *, size_t, int *);
typedef enum nss_status byport_fn (int, const char *, struct servent *,
                                   char *, size_t, int *);

struct service
{
  char label[64];
  char nss[64];
  bool floor;   /* finds nothing by design */
  bool exact;   /* a wrong answer is an error */
  bool unpinned;   /* "nsswitch.conf": never __nss_configure_lookup */
  byname_fn *byname;   /* "direct:": the module's functions */
  byport_fn *byport;
};
/* The selected service's functions, if it is called directly.  */
static byname_fn *direct_byname;
static byport_fn *direct_byport;
static struct service services[MAX_SERVICES];
static int nservices;
static bool any_unpinned;

/* ------------------------------------------------------------ utilities */

static void
vnote (const char *fmt, va_list ap)
{
  fputs ("nss-bench: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
}

static void
note (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
static void
note (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vnote (fmt, ap);
  va_end (ap);
}

static void
die (const char *fmt, ...) __attribute__ ((format (printf, 1, 2), noreturn));
static void
die (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vnote (fmt, ap);
  va_end (ap);
  exit (3);
}

static void *
xmalloc (size_t n)
{
  void *p = malloc (n ? n : 1);
  if (p == NULL)
    die ("out of memory");
  return p;
}

static void *
xcalloc (size_t n, size_t size)
{
  void *p = calloc (n ? n : 1, size ? size : 1);
  if (p == NULL)
    die ("out of memory");
  return p;
}

static void *
xrealloc (void *p, size_t n)
{
  p = realloc (p, n ? n : 1);
  if (p == NULL)
    die ("out of memory");
  return p;
}

static double
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

/* splitmix64: a fixed-seed generator, the same on every machine.  */
static uint64_t rng_state;
static uint64_t
rng (void)
{
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}
static uint64_t
rng_below (uint64_t n)
{
  return rng () % n;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

struct stats
{
  double median, min, max;
};

static struct stats
summarize (const double *v, int n)
{
  struct stats s = { 0, 0, 0 };
  if (n <= 0)
    return s;
  double *c = xmalloc (sizeof *c * (size_t) n);
  memcpy (c, v, sizeof *c * (size_t) n);
  qsort (c, (size_t) n, sizeof *c, cmp_double);
  s.min = c[0];
  s.max = c[n - 1];
  s.median = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
  free (c);
  return s;
}

static long entries_count = -1;

static void
row (const char *section, const char *service, const char *metric,
     const char *variant, struct stats s, const char *unit, int rounds,
     double per_round, const char *notes)
{
  char entries[32] = "";
  if (opt.entries_label != NULL)
    snprintf (entries, sizeof entries, "%s", opt.entries_label);
  else if (entries_count >= 0)
    snprintf (entries, sizeof entries, "%ld", entries_count);
  printf ("%s,%s,%s,%s,%s,%s,%.6g,%.6g,%.6g,%s,%d,%.6g,%s\n", section,
          opt.dataset, entries, service, metric, variant, s.median, s.min,
          s.max, unit, rounds, per_round, notes ? notes : "");
  fflush (stdout);
}

static void
select_service (const struct service *s)
{
  direct_byname = s->byname;
  direct_byport = s->byport;
  if (s->byname != NULL || s->unpinned)
    return;
  if (__nss_configure_lookup ("services", s->nss) != 0)
    die ("__nss_configure_lookup (\"services\", \"%s\") failed", s->nss);
}

/* ------------------------------------------------------- the entries */

/* Strings live in chunks that never move.  */
static char *pool_cur, *pool_end;
static const char *
pool_strdup (const char *s)
{
  size_t n = strlen (s) + 1;
  if ((size_t) (pool_end - pool_cur) < n)
    {
      size_t chunk = n > (1u << 20) ? n : (1u << 20);
      pool_cur = xmalloc (chunk);
      pool_end = pool_cur + chunk;
    }
  char *p = pool_cur;
  memcpy (p, s, n);
  pool_cur += n;
  return p;
}

struct entry
{
  const char *name;
  const char *proto;
  const char **aliases;
  int naliases;
  int port; /* network byte order, as s_port */
};
static struct entry *entries;
static size_t nentries;

/* The set of every name and alias, as 64-bit hashes: a candidate miss is
 * accepted only if its hash is absent, so it is surely absent.  */
static uint64_t *nameset;
static size_t nameset_mask;

static uint64_t
hash_str (const char *s)
{
  uint64_t h = 0xcbf29ce484222325u;
  for (; *s; s++)
    h = (h ^ (unsigned char) *s) * 0x100000001b3u;
  h ^= h >> 29;
  return h ? h : 1;
}

static void
nameset_add (uint64_t h)
{
  size_t i = (size_t) h & nameset_mask;
  while (nameset[i] != 0 && nameset[i] != h)
    i = (i + 1) & nameset_mask;
  nameset[i] = h;
}

static bool
nameset_has (uint64_t h)
{
  size_t i = (size_t) h & nameset_mask;
  while (nameset[i] != 0)
    {
      if (nameset[i] == h)
        return true;
      i = (i + 1) & nameset_mask;
    }
  return false;
}

static unsigned char port_present[65536];

/* Read every entry as glibc's `files` service sees /etc/services; in a
 * process that must not pin (an unpinned service), as nsswitch.conf says,
 * which must then name files alone (nscd serves no enumeration).  */
static void
load_entries (void)
{
  struct service files = { .label = "files", .nss = "files", .exact = true,
                           .unpinned = any_unpinned };
  select_service (&files);
  char *buf = xmalloc (BUFLEN);
  size_t cap = 1024, nnames = 0;
  entries = xmalloc (sizeof *entries * cap);
  setservent (1);
  for (;;)
    {
      struct servent se, *res = NULL;
      int rc = getservent_r (&se, buf, BUFLEN, &res);
      if (rc != 0 || res == NULL)
        {
          if (rc != 0 && rc != ENOENT)
            die ("getservent_r (files): %s", strerror (rc));
          break;
        }
      if (nentries == cap)
        entries = xrealloc (entries, sizeof *entries * (cap *= 2));
      struct entry *e = &entries[nentries++];
      e->name = pool_strdup (se.s_name);
      e->proto = pool_strdup (se.s_proto);
      e->port = se.s_port;
      e->naliases = 0;
      while (se.s_aliases[e->naliases] != NULL)
        e->naliases++;
      e->aliases = NULL;
      if (e->naliases > 0)
        {
          e->aliases = xmalloc (sizeof *e->aliases * (size_t) e->naliases);
          for (int i = 0; i < e->naliases; i++)
            e->aliases[i] = pool_strdup (se.s_aliases[i]);
        }
      nnames += 1 + (size_t) e->naliases;
      port_present[ntohs ((uint16_t) e->port)] = 1;
    }
  endservent ();
  free (buf);
  if (nentries == 0)
    die ("the files service enumerated no entry: is /etc/services the dataset?");
  entries_count = (long) nentries;

  size_t size = 16;
  while (size < nnames * 2)
    size *= 2;
  nameset = xcalloc (size, sizeof *nameset);
  nameset_mask = size - 1;
  for (size_t i = 0; i < nentries; i++)
    {
      nameset_add (hash_str (entries[i].name));
      for (int j = 0; j < entries[i].naliases; j++)
        nameset_add (hash_str (entries[i].aliases[j]));
    }
}

/* --------------------------------------------------------------- keys */

struct key
{
  const char *name;
  const char *proto;
  int port;
};
static struct key *keys[NKINDS];
static bool kind_ok[NKINDS];

static void
make_keys (void)
{
  rng_state = opt.seed;
  int *absent = xmalloc (sizeof *absent * 65536);
  int nabsent = 0;
  for (int p = 0; p < 65536; p++)
    if (!port_present[p])
      absent[nabsent++] = p;

  for (int k = 0; k < NKINDS; k++)
    {
      keys[k] = xmalloc (sizeof *keys[k] * (size_t) opt.nkeys);
      kind_ok[k] = true;
      bool byname = k < 4, hit = kind_is_hit (k), with_proto = (k & 1) == 0;
      if (!byname && !hit && nabsent == 0)
        {
          note ("%s: no port is absent from the file: %s %s not measured",
                opt.dataset, kind_metric[k], kind_variant[k]);
          kind_ok[k] = false;
          continue;
        }
      for (int i = 0; i < opt.nkeys; i++)
        {
          const struct entry *e = &entries[rng_below (nentries)];
          struct key *q = &keys[k][i];
          q->proto = with_proto ? e->proto : NULL;
          q->name = NULL;
          q->port = 0;
          if (byname && hit)
            {
              uint64_t j = rng_below (1 + (uint64_t) e->naliases);
              q->name = j == 0 ? e->name : e->aliases[j - 1];
            }
          else if (byname)
            {
              char cand[4200];
              for (;;)
                {
                  snprintf (cand, sizeof cand, "%.4000s-nx%u", e->name,
                            (unsigned) rng_below (100000));
                  if (!nameset_has (hash_str (cand)))
                    break;
                }
              q->name = pool_strdup (cand);
            }
          else if (hit)
            q->port = e->port;
          else
            q->port = (int) htons ((uint16_t) absent[rng_below ((uint64_t) nabsent)]);
        }
    }
  free (absent);
}

/* --kinds byname-hit-proto,byport-miss-null,...: measure only those.  */
static void
select_kinds (const char *arg)
{
  bool want[NKINDS] = { false };
  char *copy = strdup (arg), *save = NULL;
  if (copy == NULL)
    die ("out of memory");
  for (char *t = strtok_r (copy, ",", &save); t != NULL;
       t = strtok_r (NULL, ",", &save))
    {
      int k;
      for (k = 0; k < NKINDS; k++)
        {
          char name[32];
          snprintf (name, sizeof name, "%s-%s", kind_metric[k], kind_variant[k]);
          if (strcmp (t, name) == 0)
            break;
        }
      if (k == NKINDS)
        die ("unknown kind '%s' (e.g. byname-hit-proto, byport-miss-null)", t);
      want[k] = true;
    }
  free (copy);
  for (int k = 0; k < NKINDS; k++)
    kind_ok[k] = kind_ok[k] && want[k];
}

/* -------------------------------------------------------------- calls */

/* One query; returns 1 if found, 0 if not, -1 on an error return.  */
static int
query (int kind, const struct key *q, char *buf)
{
  struct servent se, *res = NULL;
  int rc;
  if (direct_byname != NULL)
    {
      int err = 0;
      enum nss_status st
          = kind < 4 ? direct_byname (q->name, q->proto, &se, buf, BUFLEN, &err)
                     : direct_byport (q->port, q->proto, &se, buf, BUFLEN, &err);
      return st == NSS_STATUS_SUCCESS ? 1 : st == NSS_STATUS_NOTFOUND ? 0 : -1;
    }
  if (kind < 4)
    rc = getservbyname_r (q->name, q->proto, &se, buf, BUFLEN, &res);
  else
    rc = getservbyport_r (q->port, q->proto, &se, buf, BUFLEN, &res);
  if (rc != 0)
    return -1;
  return res != NULL;
}

struct cursor
{
  int pos;
};

/* Run N calls of KIND from the key list, starting at *CUR; count the
 * answers that differ from EXPECT into *BAD.  Returns elapsed ns.  */
static double
run_calls (int kind, long n, int *cur, bool expect, long *bad, char *buf)
{
  const struct key *ks = keys[kind];
  int pos = *cur;
  long wrong = 0;
  double t0 = now_ns ();
  for (long i = 0; i < n; i++)
    {
      int r = query (kind, &ks[pos], buf);
      wrong += r != (int) expect;
      if (++pos == opt.nkeys)
        pos = 0;
    }
  double t1 = now_ns ();
  *cur = pos;
  *bad += wrong;
  return t1 - t0;
}

static bool
expect_found (const struct service *s, int kind)
{
  return !s->floor && kind_is_hit (kind);
}

static int exit_status;

static void
report_bad (const struct service *s, const char *what, long bad)
{
  if (bad == 0)
    return;
  note ("%s: %s: %ld wrong answers%s", s->label, what, bad,
        s->exact ? "" : " (reported, not an error for this service)");
  if (s->exact)
    exit_status = 1;
}

/* ----------------------------------------------------------- lookups */

static void
mode_lookups (void)
{
  char *buf = xmalloc (BUFLEN);
  long n[MAX_SERVICES][NKINDS];
  int cur[MAX_SERVICES][NKINDS];
  long bad[MAX_SERVICES][NKINDS];
  double first[MAX_SERVICES][NKINDS];
  double firstcall[MAX_SERVICES];
  int firstkind[MAX_SERVICES];
  long firstn[MAX_SERVICES][NKINDS];
  double *samples = xcalloc ((size_t) (nservices * NKINDS * opt.rounds),
                             sizeof *samples);
#define SAMPLE(s, k, r) samples[((s) * NKINDS + (k)) * opt.rounds + (r)]
  double target_ns = opt.target_ms * 1e6;

  /* The first call loads the module (and opens its files): timed alone.
   * Then per kind a first pass over the keys, then the calibration: the
   * number of calls that takes about TARGET ms, from the faster of two
   * timings.  */
  for (int s = 0; s < nservices; s++)
    {
      select_service (&services[s]);
      firstcall[s] = -1;
      for (int k = 0; k < NKINDS && firstcall[s] < 0; k++)
        if (kind_ok[k])
          {
            int c0 = 0;
            long b0 = 0;
            firstcall[s] = run_calls (k, 1, &c0, expect_found (&services[s], k),
                                      &b0, buf);
            firstkind[s] = k;
          }
      for (int k = 0; k < NKINDS; k++)
        {
          cur[s][k] = (int) rng_below ((uint64_t) opt.nkeys);
          bad[s][k] = 0;
          n[s][k] = 0;
          if (!kind_ok[k])
            continue;
          long junk = 0;
          bool expect = expect_found (&services[s], k);
          if (opt.prime > 0)
            {
              int c0 = 0;
              run_calls (k, opt.prime < opt.nkeys ? opt.prime : opt.nkeys,
                         &c0, expect, &bad[s][k], buf);
            }
          /* First pass: every key once (up to --warm-ms), so that what a
           * key touches is mapped and cached as in a process that has been
           * answering for a while.  Its time is reported apart.  */
          long done = 0, chunk = 1;
          double spent = 0;
          while (done < opt.nkeys && spent < opt.warm_ms * 1e6)
            {
              if (chunk > opt.nkeys - done)
                chunk = opt.nkeys - done;
              spent += run_calls (k, chunk, &cur[s][k], expect, &bad[s][k], buf);
              done += chunk;
              if (chunk < 1024)
                chunk *= 2;
            }
          first[s][k] = spent / (double) done;
          firstn[s][k] = done;
          long c = 1;
          double t;
          for (;;)
            {
              t = run_calls (k, c, &cur[s][k], expect, &junk, buf);
              if (t >= target_ns / 2 || c >= (1L << 26))
                break;
              c = t * 16 < target_ns ? c * 8 : c * 2;
            }
          if (t < target_ns * 4)
            {
              double t2 = run_calls (k, c, &cur[s][k], expect, &junk, buf);
              t = t2 < t ? t2 : t;
            }
          double want = target_ns / (t / (double) c);
          n[s][k] = want < 1 ? 1 : (long) want;
        }
      note ("%s: %s: %ld..%ld calls per kind and round", opt.dataset,
            services[s].label, n[s][0], n[s][NKINDS - 1]);
    }

  for (int r = 0; r < opt.rounds; r++)
    {
      for (int i = 0; i < nservices; i++)
        {
          int s = (i + r) % nservices;
          select_service (&services[s]);
          for (int j = 0; j < NKINDS; j++)
            {
              int k = (j + r) % NKINDS;
              if (!kind_ok[k])
                continue;
              bool expect = expect_found (&services[s], k);
              /* A fast service first replays, untimed, the keys it is about
               * to time: the service before it in the round (files reading
               * a large file, say) may have evicted them from the caches,
               * and that cost is not this service's.  A slow one (under
               * REWARM_MIN calls per round) is left as it is.  */
              if (n[s][k] >= REWARM_MIN)
                {
                  int c = cur[s][k];
                  run_calls (k, n[s][k] < opt.nkeys ? n[s][k] : opt.nkeys, &c,
                             expect, &bad[s][k], buf);
                }
              double t = run_calls (k, n[s][k], &cur[s][k], expect,
                                    &bad[s][k], buf);
              SAMPLE (s, k, r) = t / (double) n[s][k];
            }
        }
    }

  for (int s = 0; s < nservices; s++)
    for (int k = 0; k < NKINDS; k++)
      {
        if (!kind_ok[k])
          continue;
        char notes[64];
        snprintf (notes, sizeof notes, "bad=%ld", bad[s][k]);
        char what[64];
        snprintf (what, sizeof what, "%s %s", kind_metric[k], kind_variant[k]);
        report_bad (&services[s], what, bad[s][k]);
        row ("lookup", services[s].label, kind_metric[k], kind_variant[k],
             summarize (&SAMPLE (s, k, 0), opt.rounds), "ns", opt.rounds,
             (double) n[s][k], notes);
      }
  for (int s = 0; s < nservices; s++)
    if (firstcall[s] >= 0)
      {
        struct stats st = { firstcall[s], firstcall[s], firstcall[s] };
        row ("firstcall", services[s].label, kind_metric[firstkind[s]],
             kind_variant[firstkind[s]], st, "ns", 1, 1, "");
      }
  for (int s = 0; s < nservices; s++)
    for (int k = 0; k < NKINDS; k++)
      if (kind_ok[k])
        {
          struct stats st = { first[s][k], first[s][k], first[s][k] };
          row ("firstpass", services[s].label, kind_metric[k], kind_variant[k],
               st, "ns", 1, (double) firstn[s][k], "");
        }
#undef SAMPLE
  free (samples);
  free (buf);
}

/* ----------------------------------------------------------- threads */

struct worker
{
  pthread_t th;
  int id;
  const struct service *svc;
  pthread_barrier_t *start;
  atomic_bool *stop;
  long calls;
  long bad;
};

static void *
worker_main (void *arg)
{
  struct worker *w = arg;
  char *buf = xmalloc (BUFLEN);
  int cur[NKINDS];
  for (int k = 0; k < NKINDS; k++)
    cur[k] = (w->id * 7919 + k * 131) % opt.nkeys;
  int k = w->id % NKINDS;
  long calls = 0, bad = 0;
  pthread_barrier_wait (w->start);
  while (!atomic_load_explicit (w->stop, memory_order_relaxed))
    {
      if (kind_ok[k])
        {
          int r = query (k, &keys[k][cur[k]], buf);
          bad += r != (int) expect_found (w->svc, k);
          if (++cur[k] == opt.nkeys)
            cur[k] = 0;
          calls++;
        }
      if (++k == NKINDS)
        k = 0;
    }
  w->calls = calls;
  w->bad = bad;
  free (buf);
  return NULL;
}

static double
cpu_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

/* Lookups per second of SVC with NT threads for about opt.thread_ms; the
 * CPU time the process got meanwhile, in cores, goes to *CORES (on a busy
 * machine 2 threads may not get 2 cores).  */
static double
measure_threads (const struct service *svc, int nt, long *bad, double *cores)
{
  struct worker w[MAX_THREADS];
  pthread_barrier_t start;
  atomic_bool stop = false;
  pthread_barrier_init (&start, NULL, (unsigned) nt + 1);
  for (int i = 0; i < nt; i++)
    {
      w[i] = (struct worker) { .id = i, .svc = svc, .start = &start,
                               .stop = &stop };
      int rc = pthread_create (&w[i].th, NULL, worker_main, &w[i]);
      if (rc != 0)
        die ("pthread_create: %s", strerror (rc));
    }
  pthread_barrier_wait (&start);
  double c0 = cpu_ns ();
  double t0 = now_ns ();
  struct timespec d = { (time_t) (opt.thread_ms / 1000),
                        (long) (opt.thread_ms * 1e6) % 1000000000L };
  while (nanosleep (&d, &d) != 0 && errno == EINTR)
    ;
  atomic_store (&stop, true);
  long total = 0;
  for (int i = 0; i < nt; i++)
    {
      pthread_join (w[i].th, NULL);
      total += w[i].calls;
      *bad += w[i].bad;
    }
  double t1 = now_ns ();
  *cores = (cpu_ns () - c0) / (t1 - t0);
  pthread_barrier_destroy (&start);
  return (double) total / ((t1 - t0) / 1e9);
}

static void
mode_threads (void)
{
  int nt = opt.nthread_counts, R = opt.thread_rounds;
  double *samples = xcalloc ((size_t) (nservices * nt * R), sizeof *samples);
  double *cores = xcalloc ((size_t) (nservices * nt * R), sizeof *cores);
  double *percpu = xcalloc ((size_t) (nservices * nt * R), sizeof *percpu);
  long bad[MAX_SERVICES] = { 0 };
#define TS(s, t, r) samples[((s) * nt + (t)) * R + (r)]
#define TC(s, t, r) cores[((s) * nt + (t)) * R + (r)]
#define TP(s, t, r) percpu[((s) * nt + (t)) * R + (r)]
  for (int s = 0; s < nservices; s++)
    {
      /* Warm up: load the module in this process.  */
      select_service (&services[s]);
      long junk = 0;
      char *buf = xmalloc (BUFLEN);
      int c = 0;
      run_calls (0, 1, &c, expect_found (&services[s], 0), &junk, buf);
      free (buf);
    }
  for (int r = 0; r < R; r++)
    for (int i = 0; i < nservices; i++)
      {
        int s = (i + r) % nservices;
        select_service (&services[s]);
        for (int j = 0; j < nt; j++)
          {
            int t = (j + r) % nt;
            TS (s, t, r) = measure_threads (&services[s],
                                            opt.thread_counts[t], &bad[s],
                                            &TC (s, t, r));
            TP (s, t, r) = TC (s, t, r) > 0 ? TS (s, t, r) / TC (s, t, r) : 0;
          }
      }
  for (int s = 0; s < nservices; s++)
    {
      report_bad (&services[s], "threads", bad[s]);
      for (int t = 0; t < nt; t++)
        {
          char variant[16], notes[64];
          snprintf (variant, sizeof variant, "%d", opt.thread_counts[t]);
          snprintf (notes, sizeof notes, "bad=%ld", bad[s]);
          row ("threads", services[s].label, "lookups_per_s", variant,
               summarize (&TS (s, t, 0), R), "1/s", R, opt.thread_ms, notes);
          row ("threads", services[s].label, "cores_used", variant,
               summarize (&TC (s, t, 0), R), "cores", R, opt.thread_ms, notes);
          row ("threads", services[s].label, "lookups_per_cpu_s", variant,
               summarize (&TP (s, t, 0), R), "1/s", R, opt.thread_ms, notes);
        }
    }
#undef TS
#undef TC
#undef TP
  free (samples);
  free (cores);
  free (percpu);
}

/* -------------------------------------------------------------- enum */

/* Walk the whole enumeration; stop early (and say so in *CUT) once it
 * has taken LIMIT_NS.  */
static long
walk (double *ns, double limit_ns, bool *cut)
{
  char *buf = xmalloc (BUFLEN);
  long count = 0;
  *cut = false;
  double t0 = now_ns ();
  setservent (0);
  for (;;)
    {
      struct servent se, *res = NULL;
      if (getservent_r (&se, buf, BUFLEN, &res) != 0 || res == NULL)
        break;
      count++;
      if ((count & 255) == 0 && now_ns () - t0 > limit_ns)
        {
          *cut = true;
          break;
        }
    }
  endservent ();
  *ns = now_ns () - t0;
  free (buf);
  return count;
}

/* Each service walks once untimed (warm-up), then R timed rounds.  A
 * service whose walk takes longer than --enum-max-seconds is cut there and
 * reported as such; one whose walk is too slow for R rounds in that budget
 * is timed once (its warm-up walk).  The floor has nothing to walk.  */
static void
mode_enum (void)
{
  int R = opt.enum_rounds;
  double limit = opt.enum_max_seconds * 1e9;
  double *samples = xcalloc ((size_t) (nservices * R), sizeof *samples);
  long count[MAX_SERVICES];
  double first[MAX_SERVICES];
  bool cut[MAX_SERVICES], once[MAX_SERVICES], skip[MAX_SERVICES];
  for (int s = 0; s < nservices; s++)
    {
      skip[s] = services[s].floor || services[s].byname != NULL;   /* direct: no enumeration */
      if (skip[s])
        continue;
      select_service (&services[s]);
      count[s] = walk (&first[s], limit, &cut[s]);
      once[s] = !cut[s] && first[s] * R > limit;
    }
  for (int r = 0; r < R; r++)
    for (int i = 0; i < nservices; i++)
      {
        int s = (i + r) % nservices;
        if (skip[s] || cut[s] || once[s])
          continue;
        select_service (&services[s]);
        double t;
        bool c2;
        long c = walk (&t, 1e18, &c2);
        if (c != count[s])
          die ("%s: enumeration gave %ld entries, then %ld", services[s].label,
               count[s], c);
        samples[s * R + r] = t / 1e6;
      }
  for (int s = 0; s < nservices; s++)
    {
      if (skip[s])
        continue;
      char notes[96];
      if (cut[s])
        {
          snprintf (notes, sizeof notes, "entries=%ld", count[s]);
          note ("%s: %s: enumeration cut after %ld of %zu entries (%.1f s)",
                opt.dataset, services[s].label, count[s], nentries,
                first[s] / 1e9);
          struct stats st = { first[s] / 1e6, first[s] / 1e6, first[s] / 1e6 };
          row ("enum", services[s].label, "walk", "cut", st, "ms", 1, 1, notes);
          continue;
        }
      snprintf (notes, sizeof notes, "entries=%ld", count[s]);
      if (count[s] != (long) nentries)
        {
          note ("%s: enumeration gave %ld entries, files %zu", services[s].label,
                count[s], nentries);
          if (services[s].exact)
            exit_status = 1;
        }
      if (once[s])
        {
          struct stats st = { first[s] / 1e6, first[s] / 1e6, first[s] / 1e6 };
          row ("enum", services[s].label, "walk", "whole", st, "ms", 1, 1, notes);
        }
      else
        row ("enum", services[s].label, "walk", "whole",
             summarize (&samples[s * R], R), "ms", R, 1, notes);
    }
  free (samples);
}

/* ------------------------------------------------------------ memory */

struct smaps
{
  long rss, anon, private_clean, private_dirty, shared_clean, shared_dirty;
};

static struct smaps
read_smaps (void)
{
  struct smaps m = { 0, 0, 0, 0, 0, 0 };
  FILE *f = fopen ("/proc/self/smaps_rollup", "re");
  if (f == NULL)
    die ("/proc/self/smaps_rollup: %s", strerror (errno));
  char line[256];
  while (fgets (line, sizeof line, f) != NULL)
    {
      long v;
      if (sscanf (line, "Rss: %ld", &v) == 1)
        m.rss = v;
      else if (sscanf (line, "Anonymous: %ld", &v) == 1)
        m.anon = v;
      else if (sscanf (line, "Private_Clean: %ld", &v) == 1)
        m.private_clean = v;
      else if (sscanf (line, "Private_Dirty: %ld", &v) == 1)
        m.private_dirty = v;
      else if (sscanf (line, "Shared_Clean: %ld", &v) == 1)
        m.shared_clean = v;
      else if (sscanf (line, "Shared_Dirty: %ld", &v) == 1)
        m.shared_dirty = v;
    }
  fclose (f);
  return m;
}

static void
mode_memory (void)
{
  if (nservices != 1)
    die ("memory: give exactly one service");
  const struct service *s = &services[0];
  char *buf = xmalloc (BUFLEN);
  memset (buf, 0, BUFLEN);
  int cur[NKINDS] = { 0 };
  long bad = 0, calls = 0;
  struct smaps before = read_smaps ();
  select_service (s);
  double deadline = now_ns () + opt.max_seconds * 1e9;
  while (calls < opt.calls)
    {
      for (int k = 0; k < NKINDS && calls < opt.calls; k++)
        if (kind_ok[k])
          {
            run_calls (k, 1, &cur[k], expect_found (s, k), &bad, buf);
            calls++;
          }
      if (now_ns () > deadline)
        break;
    }
  struct smaps after = read_smaps ();
  report_bad (s, "memory", bad);
  char notes[96];
  snprintf (notes, sizeof notes, "bad=%ld", bad);
  struct
  {
    const char *metric;
    long v;
  } out[] = {
    { "private_dirty_gain", after.private_dirty - before.private_dirty },
    { "anonymous_gain", after.anon - before.anon },
    { "private_clean_gain", after.private_clean - before.private_clean },
    { "rss_file_gain", (after.rss - after.anon) - (before.rss - before.anon) },
    { "rss_gain", after.rss - before.rss },
  };
  for (size_t i = 0; i < sizeof out / sizeof out[0]; i++)
    {
      struct stats st = { (double) out[i].v, (double) out[i].v, (double) out[i].v };
      row ("memory", s->label, out[i].metric, "after-calls", st, "KiB", 1,
           (double) calls, notes);
    }
  free (buf);
}

/* ------------------------------------------------------------ memlat */

static volatile size_t memlat_sink;

static void
mode_memlat (long bytes)
{
  enum { LINE = 64 };
  size_t n = (size_t) bytes / LINE, steps = 2000000;
  if (n < 2)
    die ("memlat: %ld bytes is too small", bytes);
  unsigned char *m = mmap (NULL, n * LINE, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED)
    die ("memlat: mmap: %s", strerror (errno));
  /* The database is a file mapping, in 4 KiB pages: no huge pages here
   * either, or the TLB misses it pays would not show.  */
  madvise (m, n * LINE, MADV_NOHUGEPAGE);
  /* One random cycle through every line (Sattolo), so that each read's
   * address comes from the previous read.  */
  size_t *perm = xmalloc (sizeof *perm * n);
  for (size_t i = 0; i < n; i++)
    perm[i] = i;
  uint64_t x = opt.seed | 1;
  for (size_t i = n - 1; i > 0; i--)
    {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      size_t j = (size_t) (x % i), t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
  for (size_t i = 0; i < n; i++)
    memcpy (m + perm[i] * LINE, &perm[(i + 1) % n], sizeof (size_t));
  free (perm);
  int R = opt.rounds;
  double *ns = xcalloc ((size_t) R, sizeof *ns);
  size_t at = 0;
  for (int r = -1; r < R; r++)   /* round -1: warm-up, untimed */
    {
      double t0 = now_ns ();
      for (size_t i = 0; i < steps; i++)
        memcpy (&at, m + at * LINE, sizeof at);
      double t1 = now_ns ();
      if (r >= 0)
        ns[r] = (t1 - t0) / (double) steps;
    }
  memlat_sink = at;   /* the chase has a result: it cannot be left out */
  char notes[64];
  snprintf (notes, sizeof notes, "bytes=%ld", bytes);
  row ("memlat", "memory", "ns_per_read", "database-size", summarize (ns, R),
       "ns", R, (double) steps, notes);
  free (ns);
  munmap (m, n * LINE);
}

/* --------------------------------------------------------------- run */

struct command
{
  const char *label;
  char **argv;
};

/* Fork and exec ARGV (ARGV[0] searched in PATH) with OUT_FD, if not -1,
 * as its stdout; *T0 is the time just before the fork.  */
static pid_t
spawn (char *const argv[], int out_fd, double *t0)
{
  fflush (NULL);
  *t0 = now_ns ();
  pid_t pid = fork ();
  if (pid < 0)
    die ("fork: %s", strerror (errno));
  if (pid == 0)
    {
      if (out_fd >= 0)
        dup2 (out_fd, 1);
      execvp (argv[0], argv);
      fprintf (stderr, "nss-bench: %s: %s\n", argv[0], strerror (errno));
      _exit (127);
    }
  return pid;
}

/* Wait for PID, started by spawn as LABEL's ARGV0; die unless it exited
 * with 0 or OK_STATUS.  */
static void
reap (pid_t pid, int ok_status, const char *label, const char *argv0,
      struct rusage *ru)
{
  int status;
  while (wait4 (pid, &status, 0, ru) < 0)
    if (errno != EINTR)
      die ("wait4: %s", strerror (errno));
  if (!WIFEXITED (status)
      || (WEXITSTATUS (status) != 0 && WEXITSTATUS (status) != ok_status))
    die ("%s: command failed (%s %d): %s", label,
         WIFEXITED (status) ? "exit" : "signal",
         WIFEXITED (status) ? WEXITSTATUS (status) : WTERMSIG (status), argv0);
}

static double
run_once (const struct command *c, long *maxrss_kib)
{
  int devnull = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  double t0;
  pid_t pid = spawn (c->argv, devnull, &t0);
  if (devnull >= 0)
    close (devnull);
  struct rusage ru;
  reap (pid, opt.ok_status, c->label, c->argv[0], &ru);
  double t1 = now_ns ();
  *maxrss_kib = ru.ru_maxrss;
  return t1 - t0;
}

static void
mode_run (const char *section, int argc, char **argv)
{
  struct command cmds[MAX_SERVICES];
  int ncmds = 0;
  int i = 0;
  while (i < argc)
    {
      if (ncmds == MAX_SERVICES)
        die ("run: too many commands");
      if (i + 1 >= argc)
        die ("run: LABEL CMD [ARGS...] expected");
      cmds[ncmds].label = argv[i++];
      cmds[ncmds].argv = &argv[i];
      while (i < argc && strcmp (argv[i], "::") != 0)
        i++;
      if (i < argc)
        argv[i++] = NULL;
      ncmds++;
    }
  if (ncmds == 0)
    die ("run: no command");
  int R = opt.rounds;
  double *ms = xcalloc ((size_t) (ncmds * R), sizeof *ms);
  double *rss = xcalloc ((size_t) (ncmds * R), sizeof *rss);
  for (int w = 0; w < opt.warmup; w++)
    for (int c = 0; c < ncmds; c++)
      {
        long junk;
        run_once (&cmds[c], &junk); /* warm-up: page cache, not timed */
      }
  for (int r = 0; r < R; r++)
    for (int j = 0; j < ncmds; j++)
      {
        int c = (j + r) % ncmds;
        long kib;
        ms[c * R + r] = run_once (&cmds[c], &kib) / 1e6;
        rss[c * R + r] = (double) kib;
      }
  for (int c = 0; c < ncmds; c++)
    {
      row (section, cmds[c].label, "wall", "process", summarize (&ms[c * R], R),
           "ms", R, 1, opt.note);
      row (section, cmds[c].label, "maxrss", "process", summarize (&rss[c * R], R),
           "KiB", R, 1, opt.note);
    }
  free (ms);
  free (rss);
}

/* ------------------------------------------------------------- first */

/* The child of `first`, exec'd afresh: pin NSS (unless it is
 * "nsswitch.conf"), time the process's first getservbyname_r alone, and
 * print "NS FOUND" on stdout.  Nothing else touches NSS before it.  */
static int
first_child (const char *nss, const char *name, const char *proto)
{
  static char buf[4096];
  /* A hung lookup ends this child, not the benchmark.  */
  alarm (60);
  /* The buffer's pages and the clock's first call are not the lookup's.  */
  memset (buf, 0, sizeof buf);
  now_ns ();
  if (strcmp (nss, "nsswitch.conf") != 0
      && __nss_configure_lookup ("services", nss) != 0)
    die ("__nss_configure_lookup (\"services\", \"%s\") failed", nss);
  struct servent se, *res = NULL;
  double t0 = now_ns ();
  int rc = getservbyname_r (name, proto, &se, buf, sizeof buf, &res);
  double t1 = now_ns ();
  printf ("%.0f %d\n", t1 - t0, rc == 0 && res != NULL);
  return fflush (stdout) == 0 ? 0 : 3;
}

/* Run ARGV (a child mode of this program) with its stdout into OUT (SIZE
 * bytes, NUL-terminated), LABEL naming it in errors; its whole wall time
 * in *WALL_NS.  */
static void
child_output (char *argv[], const char *label, char *out, size_t size,
              double *wall_ns)
{
  int fds[2];
  if (pipe2 (fds, O_CLOEXEC) != 0)
    die ("pipe: %s", strerror (errno));
  double t0;
  pid_t pid = spawn (argv, fds[1], &t0);
  close (fds[1]);
  size_t len = 0;
  for (;;)
    {
      ssize_t n = read (fds[0], out + len, size - 1 - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || (len += (size_t) n) == size - 1)
        break;
    }
  out[len] = '\0';
  close (fds[0]);
  struct rusage ru;
  reap (pid, 0, label, argv[1], &ru);
  *wall_ns = now_ns () - t0;
}

/* One fresh process for S: its first lookup's ns, its whole wall time in
 * *WALL_NS, and whether it found NAME in *FOUND.  */
static double
first_once (const struct service *s, const char *name, const char *proto,
            double *wall_ns, bool *found)
{
  char *argv[] = { (char *) "/proc/self/exe", (char *) "first-child",
                   (char *) s->nss, (char *) name, (char *) proto, NULL };
  char out[64];
  child_output (argv, s->label, out, sizeof out, wall_ns);
  double ns;
  int f;
  if (sscanf (out, "%lf %d", &ns, &f) != 2)
    die ("%s: first lookup: the child said '%s'", s->label, out);
  *found = f != 0;
  return ns;
}

static void
mode_first (const char *name, const char *proto)
{
  int R = opt.rounds;
  double *ns = xcalloc ((size_t) (nservices * R), sizeof *ns);
  int got[MAX_SERVICES] = { 0 };
  double spent[MAX_SERVICES] = { 0 };
  long bad[MAX_SERVICES] = { 0 };
  for (int s = 0; s < nservices; s++)
    if (services[s].byname != NULL)
      die ("first: %s is called directly: no glibc, no first lookup",
           services[s].label);
  for (int r = -opt.warmup; r < R; r++)
    for (int j = 0; j < nservices; j++)
      {
        int s = (j + (r < 0 ? 0 : r)) % nservices;
        if (spent[s] > opt.max_seconds * 1e9)
          continue;
        double wall;
        bool found;
        double t = first_once (&services[s], name, proto, &wall, &found);
        bad[s] += found != !services[s].floor;   /* the floor finds nothing */
        if (r < 0)
          continue;   /* warm-up: the page cache, not timed */
        ns[s * R + got[s]++] = t;
        spent[s] += wall;
      }
  for (int s = 0; s < nservices; s++)
    {
      report_bad (&services[s], "first lookup", bad[s]);
      char notes[160];
      snprintf (notes, sizeof notes, "key=%s/%s%s", name, proto,
                got[s] < R ? ";cut by --max-seconds" : "");
      row ("first", services[s].label, "byname", "first-call",
           summarize (&ns[s * R], got[s]), "ns", got[s], 1, notes);
    }
  free (ns);
}

/* ---------------------------------------------------------- pagecost */

/* What a fresh process pays to read one page of a file that is in the
 * page cache: the unit a first lookup is counted in (DESIGN.md, "First
 * lookup").  Pages are taken far apart, as a lookup's slot and record lie
 * in a large file, so that no two share the kernel's fault-around window
 * or a page table.  */
#define PAGECOST_PAGES 8

static int
pagecost_child (const char *path)
{
  static char buf[PAGECOST_PAGES][4096];
  alarm (60);
  memset (buf, 1, sizeof buf);   /* the buffer's own faults are not timed */
  now_ns ();
  double t0 = now_ns ();
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  double t1 = now_ns ();
  struct stat st;
  if (fd < 0 || fstat (fd, &st) != 0)
    die ("%s: %s", path, strerror (errno));
  double t2 = now_ns ();
  long pages = (long) (st.st_size / 4096);
  /* The faulted pages lie 2 * step apart: at least 16 pages, the 64 KiB
   * the kernel maps around a fault, or one fault would map the next.  */
  if (pages < 16 * PAGECOST_PAGES)
    die ("%s: %ld pages: too small to take pages far apart", path, pages);
  const volatile unsigned char *map
    = mmap (NULL, (size_t) st.st_size, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED)
    die ("mmap %s: %s", path, strerror (errno));
  /* 2 * PAGECOST_PAGES evenly spaced pages, shifted by the pid: the even
   * ones faulted in through the mapping, the odd ones read.  */
  long step = pages / (2 * PAGECOST_PAGES);
  long shift = (long) getpid () % step;
  double fault = 0, rd = 0;
  for (int i = 0; i < PAGECOST_PAGES; i++)
    {
      long pf = (2 * i) * step + shift, pr = (2 * i + 1) * step + shift;
      double a = now_ns ();
      (void) map[pf * 4096];   /* a volatile read: done, and faulted */
      double b = now_ns ();
      if (pread (fd, buf[i], 4096, (off_t) pr * 4096) != 4096)
        die ("pread %s: %s", path, strerror (errno));
      double c = now_ns ();
      fault += b - a;
      rd += c - b;
    }
  close (fd);
  printf ("%.0f %.0f %.0f %.0f\n", fault / PAGECOST_PAGES,
          rd / PAGECOST_PAGES, t1 - t0, t2 - t1);
  return fflush (stdout) == 0 ? 0 : 3;
}

static void
mode_pagecost (const char *path)
{
  int R = opt.rounds;
  double *v = xcalloc ((size_t) (4 * R), sizeof *v);
  static const char *const what[4] = { "fault", "pread", "open", "fstat" };
  char *argv[] = { (char *) "/proc/self/exe", (char *) "pagecost-child",
                   (char *) path, NULL };
  for (int r = -opt.warmup; r < R; r++)
    {
      char out[128];
      double wall, x[4];
      child_output (argv, "pagecost", out, sizeof out, &wall);
      if (sscanf (out, "%lf %lf %lf %lf", &x[0], &x[1], &x[2], &x[3]) != 4)
        die ("pagecost: the child said '%s'", out);
      if (r >= 0)
        for (int k = 0; k < 4; k++)
          v[k * R + r] = x[k];
    }
  for (int k = 0; k < 4; k++)
    row ("pagecost", "kernel", what[k], "fresh-process", summarize (&v[k * R], R),
         "ns", R, k < 2 ? PAGECOST_PAGES : 1, "");
  free (v);
}

/* -------------------------------------------------------------- main */

static void
usage (void)
{
  fputs ("usage: nss-bench [OPTIONS] MODE...   (lookups threads enum memory)\n"
         "       nss-bench [OPTIONS] run -- LABEL CMD ARGS... [:: LABEL CMD ARGS...]\n"
         "       nss-bench [OPTIONS] first NAME PROTO\n"
         "       nss-bench [OPTIONS] pagecost FILE\n"
         "options:\n"
         "  --dataset NAME        label of the dataset in the output\n"
         "  --entries N           entries column for `run` rows\n"
         "  --services L=S,...    services to compare (label=NSS name)\n"
         "  --rounds N            rounds (lookups, run, first)  [15]\n"
         "  --target-ms T         ms per service, kind and round [5]\n"
         "  --warm-ms T           first pass over the keys: at most T ms [200]\n"
         "  --keys N              keys per kind                 [4096]\n"
         "  --kinds K,...         only these kinds (byname-hit-proto, ...)\n"
         "  --seed N              sampling seed\n"
         "  --threads 1,2,4       thread counts\n"
         "  --thread-rounds N     rounds of the thread test     [5]\n"
         "  --thread-ms T         ms per thread measurement     [150]\n"
         "  --enum-rounds N       rounds of the enumeration     [5]\n"
         "  --enum-max-seconds S  cut a walk after S seconds    [10]\n"
         "  --calls N             memory: lookups               [100000]\n"
         "  --max-seconds S       memory: at most this long; first: per service [2]\n"
         "  --prime N             lookups: ask the first N keys of each kind once first\n"
         "  --note TEXT           run: note column of the rows\n"
         "  --section NAME        run: section column           [run]\n"
         "  --warmup N            run, first: untimed runs of each first [1]\n"
         "  --ok-status N         run: exit status N is no failure either\n",
         stderr);
  exit (2);
}

static void
parse_services (const char *arg)
{
  char *copy = strdup (arg), *save = NULL;
  if (copy == NULL)
    die ("out of memory");
  for (char *tok = strtok_r (copy, ",", &save); tok != NULL;
       tok = strtok_r (NULL, ",", &save))
    {
      if (nservices == MAX_SERVICES)
        die ("too many services");
      struct service *s = &services[nservices++];
      char *eq = strchr (tok, '=');
      const char *label = tok, *nss = tok;
      if (eq != NULL)
        {
          *eq = '\0';
          nss = eq + 1;
        }
      if (strlen (label) >= sizeof s->label || strlen (nss) >= sizeof s->nss
          || *label == '\0' || *nss == '\0')
        die ("bad service '%s'", tok);
      strcpy (s->label, label);
      strcpy (s->nss, nss);
      if (strncmp (nss, "direct:", 7) == 0)
        {
          char lib[128], fn[128];
          snprintf (lib, sizeof lib, "libnss_%s.so.2", nss + 7);
          void *h = dlopen (lib, RTLD_NOW);
          if (h == NULL)
            die ("%s", dlerror ());
          snprintf (fn, sizeof fn, "_nss_%s_getservbyname_r", nss + 7);
          s->byname = (byname_fn *) dlsym (h, fn);
          snprintf (fn, sizeof fn, "_nss_%s_getservbyport_r", nss + 7);
          s->byport = (byport_fn *) dlsym (h, fn);
          if (s->byname == NULL || s->byport == NULL)
            die ("%s: no %s", lib, fn);
        }
      s->floor = strcmp (label, "floor") == 0;
      s->exact = !s->floor && strcmp (label, "db") != 0;
      s->unpinned = strcmp (nss, "nsswitch.conf") == 0;
      any_unpinned = any_unpinned || s->unpinned;
    }
  free (copy);
  for (int j = 0; j < nservices; j++)
    if (any_unpinned && !services[j].unpinned && services[j].byname == NULL)
      die ("%s: a pinned service turns nscd off for the whole process: "
           "run nsswitch.conf services in a process of their own",
           services[j].label);
}

static long
int_arg (const char *name, const char *v, long lo, long hi)
{
  char *end;
  errno = 0;
  long x = strtol (v, &end, 10);
  if (errno != 0 || *v == '\0' || *end != '\0' || x < lo || x > hi)
    {
      fprintf (stderr, "nss-bench: %s: bad value '%s'\n", name, v);
      usage ();
    }
  return x;
}

static double
double_arg (const char *name, const char *v)
{
  char *end;
  double x = strtod (v, &end);
  if (*v == '\0' || *end != '\0' || !(x > 0))
    {
      fprintf (stderr, "nss-bench: %s: bad value '%s'\n", name, v);
      usage ();
    }
  return x;
}

int
main (int argc, char **argv)
{
  const char *section = "run";
  const char *kinds_arg = NULL;
  if (argc == 5 && strcmp (argv[1], "first-child") == 0)
    return first_child (argv[2], argv[3], argv[4]);
  if (argc == 3 && strcmp (argv[1], "pagecost-child") == 0)
    return pagecost_child (argv[2]);
  int i = 1;
  for (; i < argc && strncmp (argv[i], "--", 2) == 0 && argv[i][2] != '\0'; i++)
    {
      const char *o = argv[i];
      if (i + 1 >= argc)
        usage ();
      const char *v = argv[++i];
      if (strcmp (o, "--dataset") == 0)
        opt.dataset = v;
      else if (strcmp (o, "--entries") == 0)
        opt.entries_label = v;
      else if (strcmp (o, "--services") == 0)
        parse_services (v);
      else if (strcmp (o, "--rounds") == 0)
        opt.rounds = (int) int_arg (o, v, 1, 100000);
      else if (strcmp (o, "--target-ms") == 0)
        opt.target_ms = double_arg (o, v);
      else if (strcmp (o, "--warm-ms") == 0)
        opt.warm_ms = double_arg (o, v);
      else if (strcmp (o, "--keys") == 0)
        opt.nkeys = (int) int_arg (o, v, 1, 1 << 24);
      else if (strcmp (o, "--seed") == 0)
        opt.seed = (uint64_t) int_arg (o, v, 0, 0x7fffffffffffffffL);
      else if (strcmp (o, "--threads") == 0)
        {
          char *copy = strdup (v), *save = NULL;
          if (copy == NULL)
            die ("out of memory");
          opt.nthread_counts = 0;
          for (char *t = strtok_r (copy, ",", &save); t != NULL;
               t = strtok_r (NULL, ",", &save))
            {
              if (opt.nthread_counts == 8)
                usage ();
              opt.thread_counts[opt.nthread_counts++]
                = (int) int_arg (o, t, 1, MAX_THREADS);
            }
          free (copy);
          if (opt.nthread_counts == 0)
            usage ();
        }
      else if (strcmp (o, "--thread-rounds") == 0)
        opt.thread_rounds = (int) int_arg (o, v, 1, 100000);
      else if (strcmp (o, "--thread-ms") == 0)
        opt.thread_ms = double_arg (o, v);
      else if (strcmp (o, "--enum-rounds") == 0)
        opt.enum_rounds = (int) int_arg (o, v, 1, 100000);
      else if (strcmp (o, "--enum-max-seconds") == 0)
        opt.enum_max_seconds = double_arg (o, v);
      else if (strcmp (o, "--calls") == 0)
        opt.calls = int_arg (o, v, 1, 1L << 40);
      else if (strcmp (o, "--max-seconds") == 0)
        opt.max_seconds = double_arg (o, v);
      else if (strcmp (o, "--prime") == 0)
        opt.prime = (int) int_arg (o, v, 0, 1 << 24);
      else if (strcmp (o, "--note") == 0)
        opt.note = v;
      else if (strcmp (o, "--kinds") == 0)
        kinds_arg = v;
      else if (strcmp (o, "--ok-status") == 0)
        opt.ok_status = (int) int_arg (o, v, 0, 255);
      else if (strcmp (o, "--warmup") == 0)
        opt.warmup = (int) int_arg (o, v, 0, 100);
      else if (strcmp (o, "--section") == 0)
        section = v;
      else
        {
          fprintf (stderr, "nss-bench: unknown option %s\n", o);
          usage ();
        }
    }
  if (i >= argc)
    usage ();

  if (strcmp (argv[i], "memlat") == 0)
    {
      if (i + 2 != argc)
        usage ();
      mode_memlat (int_arg ("memlat", argv[i + 1], 128, 1L << 40));
      return exit_status;
    }
  if (strcmp (argv[i], "first") == 0)
    {
      if (i + 3 != argc || nservices == 0)
        usage ();
      mode_first (argv[i + 1], argv[i + 2]);
      return exit_status;
    }
  if (strcmp (argv[i], "pagecost") == 0)
    {
      if (i + 2 != argc)
        usage ();
      mode_pagecost (argv[i + 1]);
      return exit_status;
    }
  if (strcmp (argv[i], "run") == 0)
    {
      i++;
      if (i < argc && strcmp (argv[i], "--") == 0)
        i++;
      mode_run (section, argc - i, &argv[i]);
      return exit_status;
    }

  bool m_lookups = false, m_threads = false, m_enum = false, m_memory = false;
  for (; i < argc; i++)
    {
      if (strcmp (argv[i], "lookups") == 0)
        m_lookups = true;
      else if (strcmp (argv[i], "threads") == 0)
        m_threads = true;
      else if (strcmp (argv[i], "enum") == 0)
        m_enum = true;
      else if (strcmp (argv[i], "memory") == 0)
        m_memory = true;
      else
        {
          fprintf (stderr, "nss-bench: unknown mode %s\n", argv[i]);
          usage ();
        }
    }
  if (nservices == 0)
    die ("no service given (--services)");
  if (m_memory && (m_lookups || m_threads || m_enum))
    die ("memory runs alone, in a fresh process");

  load_entries ();
  make_keys ();
  if (kinds_arg != NULL)
    select_kinds (kinds_arg);
  note ("%s: %zu entries, %d keys per kind", opt.dataset, nentries, opt.nkeys);
  if (m_memory)
    mode_memory ();
  if (m_lookups)
    mode_lookups ();
  if (m_threads)
    mode_threads ();
  if (m_enum)
    mode_enum ();
  return exit_status;
}
