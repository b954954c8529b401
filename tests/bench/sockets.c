/* bench-sockets: hold open the sockets that the benchmark's programs part
 * lists (ss, netstat), in its private network namespace.
 *
 *   bench-sockets PORT/PROTO...
 *
 * For each argument: a TCP socket listening on 0.0.0.0:PORT (PROTO tcp)
 * or a UDP socket bound to 0.0.0.0:PORT (PROTO udp).  Once all are open it
 * prints "ready" on stdout and then waits until its stdin reaches the end
 * (the benchmark closes the pipe) or it is killed.  Exit 0, 2 on usage, 3
 * when a socket cannot be made.  No dependency on the project's code.  */

#define _GNU_SOURCE 1

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static int
open_one (const char *arg)
{
  char *end;
  errno = 0;
  unsigned long port = strtoul (arg, &end, 10);
  if (errno != 0 || end == arg || *end != '/' || port == 0 || port > 65535)
    {
      fprintf (stderr, "bench-sockets: %s: PORT/PROTO expected\n", arg);
      exit (2);
    }
  int tcp = strcmp (end + 1, "tcp") == 0;
  if (!tcp && strcmp (end + 1, "udp") != 0)
    {
      fprintf (stderr, "bench-sockets: %s: tcp or udp expected\n", arg);
      exit (2);
    }
  int fd = socket (AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
  if (fd < 0)
    return errno;
  struct sockaddr_in sin;
  memset (&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_port = htons ((unsigned short) port);
  sin.sin_addr.s_addr = htonl (INADDR_ANY);
  if (bind (fd, (struct sockaddr *) &sin, sizeof sin) != 0
      || (tcp && listen (fd, 1) != 0))
    return errno;
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    {
      fputs ("usage: bench-sockets PORT/PROTO...\n", stderr);
      return 2;
    }
  /* A thousand sockets can exceed a soft limit of 1024 descriptors.  */
  struct rlimit rl;
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t) argc + 16)
    {
      rl.rlim_cur = rl.rlim_max < (rlim_t) argc + 16 ? rl.rlim_max
                                                    : (rlim_t) argc + 16;
      setrlimit (RLIMIT_NOFILE, &rl);
    }
  for (int i = 1; i < argc; i++)
    {
      int rc = open_one (argv[i]);
      if (rc != 0)
        {
          fprintf (stderr, "bench-sockets: %s: %s\n", argv[i], strerror (rc));
          return 3;
        }
    }
  if (printf ("ready\n") < 0 || fflush (stdout) != 0)
    return 3;
  char buf[64];
  for (;;)
    {
      ssize_t n = read (0, buf, sizeof buf);
      if (n == 0 || (n < 0 && errno != EINTR))
        break;
    }
  return 0;
}
