/* nss-dump: ask the REAL libc services questions for one pinned NSS service
 * and print every answer in a canonical, diffable text form.
 *
 *   nss-dump SERVICE queries [FILE [STEP]]
 *                                     enumerate SERVICE, write a query list
 *                                     (to FILE, or stdout if absent or "-");
 *                                     STEP > 1 asks about a sample of the
 *                                     names and ports (see sample_names)
 *   nss-dump SERVICE answer QUERYFILE run every query, one line per query
 *   nss-dump SERVICE enumerate [STEP] print the enumeration and check the
 *                                     E2/E3/E4 rules, as lines; STEP > 1
 *                                     interleaves fewer lookups (E2)
 *
 * SERVICE is pinned with __nss_configure_lookup ("services", SERVICE), so
 * nsswitch.conf does not matter.  Running the same query list with "files"
 * and with "portdb" and diffing the two outputs is the parity test
 * (tests/parity.sh).
 *
 * Encoding.  A string field is either "-" (a NULL pointer) or "=" followed
 * by the string's bytes, where every byte outside 0x21..0x7e, and the
 * backslash, is written as \xHH.  An empty string is "=".  So a field never
 * holds whitespace or a newline, and decoding is exact: any byte but NUL
 * survives the round trip.
 *
 * Query list lines (lines starting with '#' are comments):
 *   N NAME PROTO      getservbyname_r (NAME, PROTO)
 *   P PORT PROTO      getservbyport_r (PORT, PROTO); PORT is the raw int
 *                     argument in decimal, i.e. already in network order
 *   n NAME PROTO      getservbyname
 *   p PORT PROTO      getservbyport
 *   A NAME SOCKTYPE   getaddrinfo (NULL, NAME, {AF_INET, SOCKTYPE, AI_PASSIVE})
 *   I HOSTPORT FLAGS  getnameinfo (0.0.0.0:HOSTPORT, NI_NUMERICHOST|FLAGS)
 *
 * No dependency on the project's internals: only <netdb.h> and friends.  */

#define _GNU_SOURCE 1

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

extern int __nss_configure_lookup (const char *db, const char *service_line);

#define ERRNO_SENTINEL 12345
#define BUF_START ((size_t) 64 * 1024)
#define BUF_MAX ((size_t) 8 * 1024 * 1024)

/* ------------------------------------------------------------- utilities */

static void *
xmalloc (size_t n)
{
  void *p = malloc (n ? n : 1);
  if (p == NULL)
    {
      perror ("nss-dump: malloc");
      exit (3);
    }
  return p;
}

static void *
xrealloc (void *p, size_t n)
{
  p = realloc (p, n ? n : 1);
  if (p == NULL)
    {
      perror ("nss-dump: realloc");
      exit (3);
    }
  return p;
}

static char *
xstrdup (const char *s)
{
  size_t n = strlen (s) + 1;
  char *p = xmalloc (n);
  memcpy (p, s, n);
  return p;
}

/* A growable string.  */
struct sb
{
  char *p;
  size_t len, cap;
};

static void
sb_putn (struct sb *b, const char *s, size_t n)
{
  if (b->len + n + 1 > b->cap)
    {
      size_t cap = b->cap ? b->cap : 256;
      while (b->len + n + 1 > cap)
        cap *= 2;
      b->p = xrealloc (b->p, cap);
      b->cap = cap;
    }
  memcpy (b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void
sb_puts (struct sb *b, const char *s)
{
  sb_putn (b, s, strlen (s));
}

static void __attribute__ ((format (printf, 2, 3)))
sb_printf (struct sb *b, const char *fmt, ...)
{
  char tmp[256];
  va_list ap;
  va_start (ap, fmt);
  int n = vsnprintf (tmp, sizeof tmp, fmt, ap);
  va_end (ap);
  if (n < 0)
    n = 0;
  if ((size_t) n >= sizeof tmp)
    n = sizeof tmp - 1;
  sb_putn (b, tmp, (size_t) n);
}

static void
sb_reset (struct sb *b)
{
  b->len = 0;
  if (b->p)
    b->p[0] = '\0';
}

/* Append the encoded form of S (see the header comment).  */
static void
sb_enc (struct sb *b, const char *s)
{
  static const char hex[] = "0123456789abcdef";
  if (s == NULL)
    {
      sb_putn (b, "-", 1);
      return;
    }
  sb_putn (b, "=", 1);
  for (const unsigned char *u = (const unsigned char *) s; *u; u++)
    {
      if (*u >= 0x21 && *u <= 0x7e && *u != '\\')
        sb_putn (b, (const char *) u, 1);
      else
        {
          char e[4] = { '\\', 'x', hex[*u >> 4], hex[*u & 15] };
          sb_putn (b, e, 4);
        }
    }
}

static int
hexval (int c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Decode one encoded field.  Sets *OUT to NULL for "-", else to a fresh
   string.  Returns 0, or -1 on a malformed field.  */
static int
dec_field (const char *f, char **out)
{
  if (strcmp (f, "-") == 0)
    {
      *out = NULL;
      return 0;
    }
  if (f[0] != '=')
    return -1;
  f++;
  char *r = xmalloc (strlen (f) + 1), *w = r;
  while (*f)
    {
      if (*f == '\\')
        {
          int h, l;
          if (f[1] != 'x' || (h = hexval (f[2])) < 0 || (l = hexval (f[3])) < 0
              || (h == 0 && l == 0))
            {
              free (r);
              return -1;
            }
          *w++ = (char) (h * 16 + l);
          f += 4;
        }
      else
        *w++ = *f++;
    }
  *w = '\0';
  *out = r;
  return 0;
}

static int
in_buf (const void *p, size_t n, const char *buf, size_t buflen)
{
  const char *c = p;
  return c >= buf && n <= buflen && c <= buf + buflen - n;
}

/* Append the canonical form of a servent.  If BUF is not NULL, also check
   that every pointer of the result lies inside BUF[0..BUFLEN) and that the
   alias array is aligned (rule L5), and say so.  */
static void
sb_servent (struct sb *b, const struct servent *s, const char *buf,
            size_t buflen)
{
  int n = 0;
  sb_enc (b, s->s_name);
  sb_printf (b, " port=%u/raw=%d ", (unsigned) ntohs ((uint16_t) s->s_port),
             s->s_port);
  sb_enc (b, s->s_proto);
  if (s->s_aliases == NULL)
    sb_puts (b, " aliases=NULL");
  else
    {
      while (s->s_aliases[n] != NULL)
        n++;
      sb_printf (b, " aliases=%d", n);
      for (int i = 0; i < n; i++)
        {
          sb_putn (b, " ", 1);
          sb_enc (b, s->s_aliases[i]);
        }
    }
  if (buf != NULL)
    {
      int ok = 1;
      if (s->s_name == NULL || !in_buf (s->s_name, strlen (s->s_name) + 1, buf, buflen))
        ok = 0;
      if (s->s_proto == NULL || !in_buf (s->s_proto, strlen (s->s_proto) + 1, buf, buflen))
        ok = 0;
      if (s->s_aliases != NULL)
        {
          if (!in_buf (s->s_aliases, (size_t) (n + 1) * sizeof (char *), buf, buflen))
            ok = 0;
          for (int i = 0; i < n; i++)
            if (!in_buf (s->s_aliases[i], strlen (s->s_aliases[i]) + 1, buf, buflen))
              ok = 0;
        }
      else
        ok = 0;
      int aligned = ((uintptr_t) s->s_aliases % alignof (char *)) == 0;
      sb_printf (b, " buf=%s", !ok ? "OUTSIDE" : !aligned ? "MISALIGNED" : "ok");
    }
}

static void
emit (struct sb *b)
{
  fwrite (b->p, 1, b->len, stdout);
  fputc ('\n', stdout);
}

static void
pin (const char *service)
{
  if (__nss_configure_lookup ("services", service) != 0)
    {
      fprintf (stderr, "nss-dump: __nss_configure_lookup (\"services\", \"%s\") failed\n",
               service);
      exit (3);
    }
}

/* ------------------------------------------------------- stored entries */

struct entry
{
  char *name, *proto;
  char **aliases;
  int naliases;
  int port;     /* raw s_port */
  char *canon;  /* canonical text, without the buffer check */
};

static void
entry_from (struct entry *e, const struct servent *s)
{
  struct sb b = { 0 };
  e->name = xstrdup (s->s_name ? s->s_name : "");
  e->proto = xstrdup (s->s_proto ? s->s_proto : "");
  e->port = s->s_port;
  e->naliases = 0;
  if (s->s_aliases)
    while (s->s_aliases[e->naliases])
      e->naliases++;
  e->aliases = xmalloc ((size_t) (e->naliases + 1) * sizeof (char *));
  for (int i = 0; i < e->naliases; i++)
    e->aliases[i] = xstrdup (s->s_aliases[i]);
  e->aliases[e->naliases] = NULL;
  sb_servent (&b, s, NULL, 0);
  e->canon = b.p;
}

struct entries
{
  struct entry *v;
  size_t n, cap;
};

static void
entries_add (struct entries *es, const struct servent *s)
{
  if (es->n == es->cap)
    {
      es->cap = es->cap ? es->cap * 2 : 256;
      es->v = xrealloc (es->v, es->cap * sizeof *es->v);
    }
  entry_from (&es->v[es->n++], s);
}

static void
entries_free (struct entries *es)
{
  for (size_t i = 0; i < es->n; i++)
    {
      struct entry *e = &es->v[i];
      free (e->name);
      free (e->proto);
      for (int j = 0; j < e->naliases; j++)
        free (e->aliases[j]);
      free (e->aliases);
      free (e->canon);
    }
  free (es->v);
  memset (es, 0, sizeof *es);
}

/* getservent_r with a growing buffer.  Returns the getservent_r return
   value of the last call; *RES as getservent_r sets it.  */
static int
next_entry (struct servent *sv, char **buf, size_t *buflen,
            struct servent **res, int *err)
{
  for (;;)
    {
      errno = ERRNO_SENTINEL;
      int r = getservent_r (sv, *buf, *buflen, res);
      *err = errno;
      if (r == ERANGE && *buflen < BUF_MAX)
        {
          *buflen *= 2;
          *buf = xrealloc (*buf, *buflen);
          continue;
        }
      return r;
    }
}

/* Read the whole enumeration (setservent (STAYOPEN), loop, endservent).
   Returns the return value, errno and result-NULLness of the final call.  */
struct endinfo
{
  int ret, err, resnull;
};

static struct endinfo
enumerate_all (struct entries *es, int stayopen)
{
  size_t buflen = BUF_START;
  char *buf = xmalloc (buflen);
  struct servent sv, *res;
  struct endinfo ei;
  setservent (stayopen);
  for (;;)
    {
      int err;
      int r = next_entry (&sv, &buf, &buflen, &res, &err);
      if (r != 0 || res == NULL)
        {
          ei.ret = r;
          ei.err = err;
          ei.resnull = res == NULL;
          break;
        }
      entries_add (es, res);
    }
  endservent ();
  free (buf);
  return ei;
}

/* ---------------------------------------------------------- string sets */

struct strset
{
  char **slot;    /* hash table of pointers into ORDER */
  size_t cap;     /* power of two */
  char **order;   /* insertion order */
  size_t n;
};

static uint64_t
fnv (const char *s)
{
  uint64_t h = 1469598103934665603ULL;
  for (const unsigned char *u = (const unsigned char *) s; *u; u++)
    h = (h ^ *u) * 1099511628211ULL;
  return h;
}

static int
strset_add (struct strset *ss, const char *s)
{
  if (2 * (ss->n + 1) > ss->cap)
    {
      size_t ncap = ss->cap ? ss->cap * 2 : 1024;
      char **nslot = xmalloc (ncap * sizeof *nslot);
      memset (nslot, 0, ncap * sizeof *nslot);
      for (size_t i = 0; i < ss->cap; i++)
        if (ss->slot[i])
          {
            size_t h = fnv (ss->slot[i]) & (ncap - 1);
            while (nslot[h])
              h = (h + 1) & (ncap - 1);
            nslot[h] = ss->slot[i];
          }
      free (ss->slot);
      ss->slot = nslot;
      ss->cap = ncap;
      ss->order = xrealloc (ss->order, ncap * sizeof *ss->order);
    }
  size_t h = fnv (s) & (ss->cap - 1);
  while (ss->slot[h])
    {
      if (strcmp (ss->slot[h], s) == 0)
        return 0;
      h = (h + 1) & (ss->cap - 1);
    }
  char *c = xstrdup (s);
  ss->slot[h] = c;
  ss->order[ss->n++] = c;
  return 1;
}

static void
strset_free (struct strset *ss)
{
  for (size_t i = 0; i < ss->n; i++)
    free (ss->order[i]);
  free (ss->order);
  free (ss->slot);
  memset (ss, 0, sizeof *ss);
}

struct intset
{
  int *v;
  size_t n, cap;
};

static int
intset_add (struct intset *is, int x)
{
  for (size_t i = 0; i < is->n; i++)   /* at most 65536 + a few members */
    if (is->v[i] == x)
      return 0;
  if (is->n == is->cap)
    {
      is->cap = is->cap ? is->cap * 2 : 256;
      is->v = xrealloc (is->v, is->cap * sizeof *is->v);
    }
  is->v[is->n++] = x;
  return 1;
}

/* --------------------------------------------------------- queries mode */

static void
fput_enc (FILE *f, struct sb *b, const char *s)
{
  sb_reset (b);
  sb_enc (b, s);
  fwrite (b->p, 1, b->len, f);
}

static void
q_name (FILE *f, struct sb *b, char kind, const char *name, const char *proto)
{
  fputc (kind, f);
  fputc (' ', f);
  fput_enc (f, b, name);
  fputc (' ', f);
  fput_enc (f, b, proto);
  fputc ('\n', f);
}

static void
q_port (FILE *f, struct sb *b, char kind, int port, const char *proto)
{
  fprintf (f, "%c %d ", kind, port);
  fput_enc (f, b, proto);
  fputc ('\n', f);
}

/* A name worth asking about whatever the sample: anything but a plain
   lowercase word of letters, digits and '-', and the very short or long.  */
static int
unusual_name (const char *s)
{
  size_t len = strlen (s);
  if (len < 2 || len > 24)
    return 1;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
      return 1;
  return 0;
}

/* Keep the first and last SAMPLE_EDGE seen, every STEP-th between: the
   start and end of the file, and an even spread of the rest.  */
#define SAMPLE_EDGE 64

static int
sampled (size_t i, size_t n, size_t step)
{
  return i < SAMPLE_EDGE || i + SAMPLE_EDGE >= n || i % step == 0;
}

/* Reduce the names seen to a sample (and every unusual one), in order.  */
static void
sample_names (struct strset *names, size_t step)
{
  struct strset kept = { 0 };
  for (size_t i = 0; i < names->n; i++)
    if (sampled (i, names->n, step) || unusual_name (names->order[i]))
      strset_add (&kept, names->order[i]);
  strset_free (names);
  *names = kept;
}

/* Reduce the ports seen to a sample, in order; the spread and the odd
   ints added later are all kept.  */
static void
sample_ports (struct intset *ports, size_t step)
{
  size_t n = 0;
  for (size_t i = 0; i < ports->n; i++)
    if (sampled (i, ports->n, step))
      ports->v[n++] = ports->v[i];
  ports->n = n;
}

static int
cmd_queries (const char *out, size_t step)
{
  FILE *f = stdout;
  if (out != NULL && strcmp (out, "-") != 0)
    {
      f = fopen (out, "w");
      if (f == NULL)
        {
          perror (out);
          return 3;
        }
    }

  struct entries es = { 0 };
  enumerate_all (&es, 0);

  /* Distinct names and aliases, protocols and raw ports, in order seen.  */
  struct strset names = { 0 }, protos = { 0 };
  struct intset ports = { 0 };
  size_t hostports_seen = 0;
  static unsigned char seen_host[65536];
  for (size_t i = 0; i < es.n; i++)
    {
      struct entry *e = &es.v[i];
      strset_add (&names, e->name);
      for (int j = 0; j < e->naliases; j++)
        strset_add (&names, e->aliases[j]);
      strset_add (&protos, e->proto);
      intset_add (&ports, e->port);
      if (e->port >= 0 && e->port <= 65535 && !seen_host[e->port])
        {
          seen_host[e->port] = 1;
          hostports_seen++;
        }
    }
  size_t nall_names = names.n, nall_ports = ports.n;
  if (step > 1)
    {
      sample_names (&names, step);
      sample_ports (&ports, step);
    }
  size_t nseen_names = names.n, nseen_ports = ports.n;

  /* Protocol set: NULL, "", each one seen, an absent one.  */
  size_t nprotos = 0;
  const char **pset = xmalloc ((protos.n + 3) * sizeof *pset);
  pset[nprotos++] = NULL;
  pset[nprotos++] = "";
  for (size_t i = 0; i < protos.n; i++)
    if (protos.order[i][0] != '\0')
      pset[nprotos++] = protos.order[i];
  pset[nprotos++] = "nosuchproto";

  /* Absent names, and near misses of a sample of the seen ones: a prefix,
     an extension, a case change (lookups are case-sensitive).  */
  static const char *const absent_names[] = {
    "nosuchservice", "", "nosuch/tcp", "\x7f", "\xff\xfe", "x", "0", "22",
    "-", "#", "tcp",
  };
  for (size_t i = 0; i < sizeof absent_names / sizeof *absent_names; i++)
    strset_add (&names, absent_names[i]);
  for (size_t i = 0; i < nseen_names; i += 10)
    {
      const char *s = names.order[i];
      size_t len = strlen (s);
      char *v = xmalloc (len + 2);
      memcpy (v, s, len + 1);
      strcat (v, "x");
      strset_add (&names, v);
      if (len > 1)
        {
          v[len - 1] = '\0';
          strset_add (&names, v);
        }
      memcpy (v, s, len + 1);
      for (char *c = v; *c; c++)
        if (*c >= 'a' && *c <= 'z')
          *c = (char) (*c - 'a' + 'A');
      strset_add (&names, v);
      free (v);
    }

  /* Ports: all seen, a spread of host ports, and ints outside 0..65535
     (getservbyport takes an int in network order; only its exact 16-bit
     values can match).  */
  for (unsigned p = 0; p <= 65535; p += 997)
    intset_add (&ports, htons ((uint16_t) p));
  static const unsigned spread[] = { 0, 1, 7, 9, 22, 53, 80, 255, 256, 1023,
                                     1024, 32767, 32768, 65534, 65535 };
  for (size_t i = 0; i < sizeof spread / sizeof *spread; i++)
    intset_add (&ports, htons ((uint16_t) spread[i]));
  static const int odd_ints[] = { 65536, -1, 65537, 0x7fffffff, INT_MIN,
                                  -65536, 0x10000 | 0x1600, -(0x1600) };
  for (size_t i = 0; i < sizeof odd_ints / sizeof *odd_ints; i++)
    intset_add (&ports, odd_ints[i]);
  for (size_t i = 0; i < nseen_ports && i < 50; i += 5)
    {
      int p = ports.v[i];
      intset_add (&ports, p | 0x10000);
      intset_add (&ports, (int) ((unsigned) p | 0xffff0000u));
      intset_add (&ports, p + 65536 * 3);
      intset_add (&ports, (int) ntohs ((uint16_t) p));  /* forgot htons */
    }

  size_t nq = 0;
  struct sb b = { 0 };
  fprintf (f, "# nss-dump queries: entries=%zu names=%zu protocols=%zu "
           "ports=%zu (distinct host ports %zu); step %zu keeps %zu names, "
           "%zu ports\n", es.n, nall_names, protos.n, nall_ports,
           hostports_seen, step, nseen_names, nseen_ports);

  for (size_t i = 0; i < names.n; i++)
    for (size_t j = 0; j < nprotos; j++, nq++)
      q_name (f, &b, 'N', names.order[i], pset[j]);
  /* A few more protocol spellings for a sample of names.  */
  static const char *const odd_protos[] = { "TCP", "tc", "tcpx", "tcp ",
                                            "udp/tcp" };
  for (size_t i = 0; i < nseen_names; i += 25)
    for (size_t j = 0; j < sizeof odd_protos / sizeof *odd_protos; j++, nq++)
      q_name (f, &b, 'N', names.order[i], odd_protos[j]);

  for (size_t i = 0; i < ports.n; i++)
    for (size_t j = 0; j < nprotos; j++, nq++)
      q_port (f, &b, 'P', ports.v[i], pset[j]);
  for (size_t i = 0; i < nseen_ports; i += 25)
    for (size_t j = 0; j < sizeof odd_protos / sizeof *odd_protos; j++, nq++)
      q_port (f, &b, 'P', ports.v[i], odd_protos[j]);

  /* The non-reentrant calls, getaddrinfo, getnameinfo: samples.  */
  for (size_t i = 0; i < names.n; i += 50)
    for (size_t j = 0; j < nprotos; j++, nq++)
      q_name (f, &b, 'n', names.order[i], pset[j]);
  for (size_t i = 0; i < ports.n; i += 50)
    for (size_t j = 0; j < nprotos; j++, nq++)
      q_port (f, &b, 'p', ports.v[i], pset[j]);
  for (size_t i = 0; i < names.n; i += 50)
    {
      fprintf (f, "A ");
      fput_enc (f, &b, names.order[i]);
      fprintf (f, " 0\nA ");
      fput_enc (f, &b, names.order[i]);
      fprintf (f, " %d\nA ", SOCK_STREAM);
      fput_enc (f, &b, names.order[i]);
      fprintf (f, " %d\n", SOCK_DGRAM);
      nq += 3;
    }
  for (size_t i = 0; i < ports.n; i += 20)
    {
      unsigned hp = ntohs ((uint16_t) ports.v[i]);
      fprintf (f, "I %u 0\nI %u %d\n", hp, hp, NI_DGRAM);
      nq += 2;
    }

  fprintf (f, "# end: %zu queries\n", nq);
  fprintf (stderr, "nss-dump queries: %zu entries, %zu queries\n", es.n, nq);
  free (b.p);
  free (pset);
  entries_free (&es);
  strset_free (&names);
  strset_free (&protos);
  free (ports.v);
  if (f != stdout ? fclose (f) != 0 : fflush (f) != 0)
    {
      perror ("nss-dump: write");
      return 3;
    }
  return 0;
}

/* ---------------------------------------------------------- answer mode */

static char *abuf;
static size_t abuflen;

static void
ans_r (struct sb *o, int byport, const char *name, int port, const char *proto)
{
  struct servent sv, *res = NULL;
  int r, err;
  memset (&sv, 0, sizeof sv);
  for (;;)
    {
      res = (struct servent *) 0x1;   /* must be overwritten */
      errno = ERRNO_SENTINEL;
      if (byport)
        r = getservbyport_r (port, proto, &sv, abuf, abuflen, &res);
      else
        r = getservbyname_r (name, proto, &sv, abuf, abuflen, &res);
      err = errno;
      if (r == ERANGE && abuflen < BUF_MAX)
        {
          abuflen *= 2;
          abuf = xrealloc (abuf, abuflen);
          continue;
        }
      break;
    }
  sb_printf (o, " -> ret=%d errno=%d ", r, err);
  if (res == (struct servent *) 0x1)
    sb_puts (o, "result=UNSET");
  else if (res == NULL)
    sb_puts (o, "result=NULL");
  else
    {
      sb_puts (o, res == &sv ? "result=ok " : "result=FOREIGN ");
      sb_servent (o, res, abuf, abuflen);
    }
}

static void
ans_plain (struct sb *o, int byport, const char *name, int port,
           const char *proto)
{
  errno = ERRNO_SENTINEL;
  struct servent *res = byport ? getservbyport (port, proto)
                               : getservbyname (name, proto);
  int err = errno;
  sb_printf (o, " -> errno=%d ", err);
  if (res == NULL)
    sb_puts (o, "result=NULL");
  else
    {
      sb_puts (o, "result ");
      sb_servent (o, res, NULL, 0);
    }
}

static void
ans_gai (struct sb *o, const char *name, int socktype)
{
  struct addrinfo hints, *ai = NULL;
  memset (&hints, 0, sizeof hints);
  hints.ai_family = AF_INET;
  hints.ai_socktype = socktype;
  hints.ai_flags = AI_PASSIVE;
  int r = getaddrinfo (NULL, name, &hints, &ai);
  sb_printf (o, " -> ret=%d", r);
  if (r == 0)
    {
      for (struct addrinfo *a = ai; a; a = a->ai_next)
        {
          unsigned port = 0;
          if (a->ai_family == AF_INET)
            port = ntohs (((struct sockaddr_in *) (void *) a->ai_addr)->sin_port);
          sb_printf (o, " [family=%d socktype=%d protocol=%d port=%u]",
                     a->ai_family, a->ai_socktype, a->ai_protocol, port);
        }
      freeaddrinfo (ai);
    }
}

static void
ans_gni (struct sb *o, unsigned hostport, int flags)
{
  struct sockaddr_in sin;
  memset (&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_port = htons ((uint16_t) hostport);
  sin.sin_addr.s_addr = htonl (INADDR_ANY);
  /* Once with the usual NI_MAXSERV, once with room for long names.  */
  static const size_t lens[] = { NI_MAXSERV, 8192 };
  for (size_t i = 0; i < 2; i++)
    {
      char host[NI_MAXHOST], serv[8192];
      memset (serv, 0, sizeof serv);
      int r = getnameinfo ((struct sockaddr *) &sin, sizeof sin, host,
                           sizeof host, serv, lens[i], NI_NUMERICHOST | flags);
      sb_printf (o, " -> servlen=%zu ret=%d", lens[i], r);
      if (r == 0)
        {
          sb_putn (o, " serv", 5);
          sb_enc (o, serv);
        }
    }
}

static int
cmd_answer (const char *qfile)
{
  FILE *f = fopen (qfile, "r");
  if (f == NULL)
    {
      perror (qfile);
      return 3;
    }
  abuflen = BUF_START;
  abuf = xmalloc (abuflen);
  char *line = NULL;
  size_t cap = 0, nq = 0, lineno = 0;
  ssize_t len;
  struct sb o = { 0 };
  while ((len = getline (&line, &cap, f)) != -1)
    {
      lineno++;
      if (len > 0 && line[len - 1] == '\n')
        line[--len] = '\0';
      if (line[0] == '#' || line[0] == '\0')
        continue;
      char kind = line[0];
      char *a1 = NULL, *a2 = NULL, *save = NULL;
      if (line[1] == ' ')
        {
          a1 = strtok_r (line + 2, " ", &save);
          a2 = a1 ? strtok_r (NULL, " ", &save) : NULL;
        }
      char *s1 = NULL, *s2 = NULL, *end = NULL;
      long v = 0;
      int bad = a1 == NULL || a2 == NULL;
      if (!bad)
        switch (kind)
          {
          case 'N':
          case 'n':
            bad = dec_field (a1, &s1) != 0 || s1 == NULL
                  || dec_field (a2, &s2) != 0;
            break;
          case 'P':
          case 'p':
            errno = 0;
            v = strtol (a1, &end, 10);
            bad = errno != 0 || *end != '\0' || v < INT_MIN || v > INT_MAX
                  || dec_field (a2, &s2) != 0;
            break;
          case 'A':
            bad = dec_field (a1, &s1) != 0 || s1 == NULL;
            v = strtol (a2, &end, 10);
            break;
          case 'I':
            v = strtol (a1, &end, 10);
            bad = *end != '\0' || v < 0 || v > 65535;
            break;
          default:
            bad = 1;
          }
      if (bad)
        {
          fprintf (stderr, "nss-dump: %s:%zu: malformed query\n", qfile, lineno);
          return 3;
        }
      sb_reset (&o);
      sb_printf (&o, "%c %s %s", kind, a1, a2);
      switch (kind)
        {
        case 'N':
          ans_r (&o, 0, s1, 0, s2);
          break;
        case 'P':
          sb_printf (&o, " (ntohs %u)", (unsigned) ntohs ((uint16_t) v));
          ans_r (&o, 1, NULL, (int) v, s2);
          break;
        case 'n':
          ans_plain (&o, 0, s1, 0, s2);
          break;
        case 'p':
          ans_plain (&o, 1, NULL, (int) v, s2);
          break;
        case 'A':
          ans_gai (&o, s1, (int) v);
          break;
        case 'I':
          ans_gni (&o, (unsigned) v, (int) strtol (a2, NULL, 10));
          break;
        }
      emit (&o);
      nq++;
      free (s1);
      free (s2);
    }
  free (line);
  free (o.p);
  free (abuf);
  fclose (f);
  if (fflush (stdout) != 0 || ferror (stdout))
    {
      perror ("nss-dump: write");
      return 3;
    }
  fprintf (stderr, "nss-dump answer: %zu queries\n", nq);
  return 0;
}

/* ------------------------------------------------------- enumerate mode */

static const char *
yesno (int b)
{
  return b ? "yes" : "NO";
}

/* Read N entries with a big buffer; return how many matched ES[0..N).  */
static size_t
advance (const struct entries *es, size_t n, char **buf, size_t *buflen)
{
  struct servent sv, *res;
  struct sb b = { 0 };
  size_t ok = 0;
  for (size_t i = 0; i < n; i++)
    {
      int err;
      if (next_entry (&sv, buf, buflen, &res, &err) != 0 || res == NULL)
        break;
      sb_reset (&b);
      sb_servent (&b, res, NULL, 0);
      if (strcmp (b.p, es->v[i].canon) == 0)
        ok++;
    }
  free (b.p);
  return ok;
}

/* Is the next entry of the enumeration ES->v[I]?  (Big buffer.)  Returns
   1 if so, 0 if another entry, -1 if none.  */
static int
next_is (const struct entries *es, size_t i, char **buf, size_t *buflen)
{
  struct servent sv, *res;
  int err;
  if (next_entry (&sv, buf, buflen, &res, &err) != 0 || res == NULL)
    return i >= es->n ? 1 : -1;
  if (i >= es->n)
    return 0;
  struct sb b = { 0 };
  sb_servent (&b, res, NULL, 0);
  int same = strcmp (b.p, es->v[i].canon) == 0;
  free (b.p);
  return same;
}

static const char *
next_word (int r)
{
  return r == 1 ? "yes" : r == 0 ? "NO(other entry)" : "NO(no entry)";
}

/* E3 at entry K: (a) one call with a 0-byte buffer then a big one;
   (b) sizes 0, 1, 2, ... until a call succeeds.  */
static void
e3_at (const struct entries *es, size_t k, const char *why)
{
  size_t buflen = BUF_START;
  char *buf = xmalloc (buflen);
  char *small = xmalloc (BUF_MAX);
  struct servent sv, *res;
  struct sb b = { 0 };
  printf ("E3 %s: entry %zu\n", why, k);

  /* (a) */
  setservent (0);
  size_t adv = advance (es, k, &buf, &buflen);
  errno = ERRNO_SENTINEL;
  res = (struct servent *) 0x1;
  int r = getservent_r (&sv, small, 0, &res);
  int err = errno;
  printf ("E3a buflen=0: ret=%d errno=%d result=%s\n", r, err,
          res == NULL ? "NULL" : res == (struct servent *) 0x1 ? "UNSET" : "SET");
  int same = next_is (es, k, &buf, &buflen);
  int nxt = next_is (es, k + 1, &buf, &buflen);
  printf ("E3a positioned=%s retry-same-entry=%s then-next-entry=%s\n",
          yesno (adv == k), next_word (same), next_word (nxt));
  endservent ();

  /* (b) */
  setservent (0);
  adv = advance (es, k, &buf, &buflen);
  size_t fails = 0, other = 0, sz = 0;
  int succeeded = 0;
  for (sz = 0; sz <= BUF_MAX; sz = sz < 65536 ? sz + 1 : sz * 2)
    {
      errno = ERRNO_SENTINEL;
      res = (struct servent *) 0x1;
      r = getservent_r (&sv, small, sz, &res);
      err = errno;
      if (r == 0 && res != NULL && res != (struct servent *) 0x1)
        {
          succeeded = 1;
          break;
        }
      if (r == ERANGE && err == ERANGE && res == NULL)
        fails++;
      else
        {
          other++;
          printf ("E3b buflen=%zu: unexpected ret=%d errno=%d result=%s\n", sz,
                  r, err, res == NULL ? "NULL" : "UNSET");
          if (other >= 3)
            break;
        }
    }
  int ssame = 0;
  if (succeeded)
    {
      sb_servent (&b, res, NULL, 0);
      ssame = strcmp (b.p, es->v[k].canon) == 0;
    }
  nxt = next_is (es, k + 1, &buf, &buflen);
  /* The number of failures depends on how the service packs its buffer,
     so only its being non-zero is printed.  */
  printf ("E3b positioned=%s small-buffers-failed-with-ERANGE=%s others=%zu "
          "succeeded=%s success-is-same-entry=%s then-next-entry=%s\n",
          yesno (adv == k), yesno (fails > 0), other, yesno (succeeded), yesno (ssame),
          next_word (nxt));
  endservent ();
  free (b.p);
  free (buf);
  free (small);
}

static void
print_lookup (const char *tag, int byport, const char *name, int port,
              const char *proto)
{
  struct sb o = { 0 };
  sb_printf (&o, "%s ", tag);
  if (byport)
    sb_printf (&o, "P %d ", port);
  else
    {
      sb_puts (&o, "N ");
      sb_enc (&o, name);
      sb_putn (&o, " ", 1);
    }
  sb_enc (&o, proto);
  ans_r (&o, byport, name, port, proto);
  emit (&o);
  free (o.p);
}

static int
cmd_enumerate (size_t step)
{
  abuflen = BUF_START;
  abuf = xmalloc (abuflen);
  struct sb o = { 0 };

  /* The enumeration itself, printed as read (with the buffer check).  */
  size_t buflen = BUF_START;
  char *buf = xmalloc (buflen);
  struct servent sv, *res;
  struct entries es = { 0 };
  struct endinfo ei;
  setservent (0);
  for (;;)
    {
      int err;
      int r = next_entry (&sv, &buf, &buflen, &res, &err);
      if (r != 0 || res == NULL)
        {
          ei.ret = r;
          ei.err = err;
          ei.resnull = res == NULL;
          break;
        }
      sb_reset (&o);
      /* No index: a missing or extra entry then shows as one line in a
         diff.  */
      sb_puts (&o, "E ");
      sb_servent (&o, res, buf, buflen);
      if (res != &sv)
        sb_puts (&o, " result=FOREIGN");
      emit (&o);
      entries_add (&es, res);
    }
  printf ("END count=%zu ret=%d errno=%d result=%s\n", es.n, ei.ret, ei.err,
          ei.resnull ? "NULL" : "SET");

  /* E4: two more calls after the end, then setservent rewinds.  */
  for (int i = 1; i <= 2; i++)
    {
      errno = ERRNO_SENTINEL;
      res = (struct servent *) 0x1;
      int r = getservent_r (&sv, buf, buflen, &res);
      printf ("E4 after-end call %d: ret=%d errno=%d result=%s\n", i, r, errno,
              res == NULL ? "NULL" : res == (struct servent *) 0x1 ? "UNSET" : "SET");
    }
  setservent (0);
  printf ("E4 setservent-after-end first-entry=%s\n", next_word (next_is (&es, 0, &buf, &buflen)));
  endservent ();

  /* E2: getservent_r without setservent starts at the top.  */
  printf ("E2 no-setservent first-entry=%s\n", next_word (next_is (&es, 0, &buf, &buflen)));
  endservent ();

  /* E2: setservent rewinds in the middle.  */
  setservent (0);
  size_t adv = advance (&es, 3, &buf, &buflen);
  setservent (0);
  printf ("E2 rewind-after-%zu first-entry=%s\n", adv, next_word (next_is (&es, 0, &buf, &buflen)));
  endservent ();

  /* E2: endservent in the middle, then a fresh setservent.  */
  setservent (0);
  adv = advance (&es, 2, &buf, &buflen);
  endservent ();
  setservent (0);
  printf ("E2 endservent-after-%zu then-setservent first-entry=%s\n", adv,
          next_word (next_is (&es, 0, &buf, &buflen)));
  endservent ();

  /* E2: setservent (1) gives the same enumeration.  */
  {
    struct entries e1 = { 0 };
    struct endinfo ei1 = enumerate_all (&e1, 1);
    size_t same = 0;
    for (size_t i = 0; i < e1.n && i < es.n; i++)
      same += strcmp (e1.v[i].canon, es.v[i].canon) == 0;
    printf ("E2 setservent(1) count=%zu same-entries=%zu all-same=%s end-ret=%d\n",
            e1.n, same, yesno (e1.n == es.n && same == es.n), ei1.ret);
    entries_free (&e1);
  }

  /* E2: lookups interleaved with the enumeration, after every 10th entry
     (with STEP > 1 only near the start and end, and after every
     10 * STEP-th between: each lookup scans the whole file in `files`);
     each lookup's answer is printed, and the enumeration must go on as if
     nothing had happened.  */
  {
    size_t n = 0, same = 0, first_bad = (size_t) -1;
    struct sb b = { 0 };
    setservent (0);
    for (;;)
      {
        int err;
        int r = next_entry (&sv, &buf, &buflen, &res, &err);
        if (r != 0 || res == NULL)
          break;
        sb_reset (&b);
        sb_servent (&b, res, NULL, 0);
        if (n < es.n && strcmp (b.p, es.v[n].canon) == 0)
          same++;
        else if (first_bad == (size_t) -1)
          first_bad = n;
        n++;
        if (n % 10 == 0 && sampled (n / 10, es.n / 10, step))
          {
            char tag[64];
            snprintf (tag, sizeof tag, "E2 lookup-after-%zu", n);
            /* RES lives in BUF, which the lookups do not touch.  */
            char *nm = xstrdup (res->s_name);
            char *pr = xstrdup (res->s_proto);
            int port = res->s_port;
            print_lookup (tag, 0, nm, 0, pr);
            print_lookup (tag, 0, nm, 0, NULL);
            print_lookup (tag, 1, NULL, port, pr);
            print_lookup (tag, 0, "nosuchservice", 0, NULL);
            /* Also a non-reentrant one: it has a buffer of its own.  */
            errno = ERRNO_SENTINEL;
            struct servent *p = getservbyname (nm, NULL);
            printf ("%s getservbyname -> %s\n", tag, p ? "found" : "NULL");
            free (nm);
            free (pr);
          }
      }
    endservent ();
    free (b.p);
    printf ("E2 interleaved count=%zu same-entries=%zu all-same=%s",
            n, same, yesno (n == es.n && same == es.n));
    if (first_bad != (size_t) -1)
      printf (" first-difference-at=%zu", first_bad);
    printf ("\n");
  }

  /* E3 at the first entry with aliases, and at the biggest entry.  */
  {
    size_t first_alias = (size_t) -1, biggest = (size_t) -1, bigsize = 0;
    for (size_t i = 0; i < es.n; i++)
      {
        struct entry *e = &es.v[i];
        size_t size = strlen (e->name) + strlen (e->proto);
        for (int j = 0; j < e->naliases; j++)
          size += strlen (e->aliases[j]) + sizeof (char *);
        if (e->naliases > 0 && first_alias == (size_t) -1)
          first_alias = i;
        if (size > bigsize || biggest == (size_t) -1)
          {
            bigsize = size;
            biggest = i;
          }
      }
    if (first_alias != (size_t) -1)
      e3_at (&es, first_alias, "first-with-aliases");
    else
      printf ("E3 first-with-aliases: none\n");
    if (biggest != (size_t) -1)
      e3_at (&es, biggest, "biggest");
    else
      printf ("E3 biggest: none (empty enumeration)\n");
  }

  fprintf (stderr, "nss-dump enumerate: %zu entries\n", es.n);
  entries_free (&es);
  free (buf);
  free (abuf);
  free (o.p);
  if (fflush (stdout) != 0 || ferror (stdout))
    {
      perror ("nss-dump: write");
      return 3;
    }
  return 0;
}

/* ----------------------------------------------------------------- main */

static int
usage (void)
{
  fprintf (stderr,
           "usage: nss-dump SERVICE queries [FILE [STEP]]\n"
           "       nss-dump SERVICE answer QUERYFILE\n"
           "       nss-dump SERVICE enumerate [STEP]\n");
  return 2;
}

/* A sampling STEP: a positive decimal number.  */
static int
parse_step (const char *arg, size_t *step)
{
  char *end;
  unsigned long v = strtoul (arg, &end, 10);
  if (*arg == '\0' || *end != '\0' || v == 0)
    return -1;
  *step = v;
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc < 3)
    return usage ();
  pin (argv[1]);
  if (strcmp (argv[2], "queries") == 0 && argc <= 5)
    {
      size_t step = 1;
      if (argc == 5 && parse_step (argv[4], &step) != 0)
        return usage ();
      return cmd_queries (argc >= 4 ? argv[3] : NULL, step);
    }
  if (strcmp (argv[2], "answer") == 0 && argc == 4)
    return cmd_answer (argv[3]);
  if (strcmp (argv[2], "enumerate") == 0 && argc <= 4)
    {
      size_t step = 1;
      if (argc == 4 && parse_step (argv[3], &step) != 0)
        return usage ();
      return cmd_enumerate (step);
    }
  return usage ();
}
