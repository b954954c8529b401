/* libnss_benchnull.so.2: a do-nothing NSS module for the benchmark.
 *
 * Every lookup answers NSS_STATUS_NOTFOUND at once and the enumeration is
 * empty, so timing `services: benchnull` through glibc measures glibc's
 * own dispatch (getservbyname_r -> the action list -> the module's
 * function and back) and nothing else: the floor any module pays.
 *
 * Built by `make bench` only; never installed.  No dependency on the
 * project's code.  */

#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <stddef.h>

#define EXPORT __attribute__ ((visibility ("default")))

EXPORT enum nss_status _nss_benchnull_getservbyname_r (const char *name,
    const char *proto, struct servent *result, char *buffer, size_t buflen,
    int *errnop);
EXPORT enum nss_status _nss_benchnull_getservbyport_r (int port,
    const char *proto, struct servent *result, char *buffer, size_t buflen,
    int *errnop);
EXPORT enum nss_status _nss_benchnull_setservent (int stayopen);
EXPORT enum nss_status _nss_benchnull_endservent (void);
EXPORT enum nss_status _nss_benchnull_getservent_r (struct servent *result,
    char *buffer, size_t buflen, int *errnop);

enum nss_status
_nss_benchnull_getservbyname_r (const char *name, const char *proto,
                                struct servent *result, char *buffer,
                                size_t buflen, int *errnop)
{
  (void) name; (void) proto; (void) result; (void) buffer; (void) buflen;
  (void) errnop;
  return NSS_STATUS_NOTFOUND;
}

enum nss_status
_nss_benchnull_getservbyport_r (int port, const char *proto,
                                struct servent *result, char *buffer,
                                size_t buflen, int *errnop)
{
  (void) port; (void) proto; (void) result; (void) buffer; (void) buflen;
  (void) errnop;
  return NSS_STATUS_NOTFOUND;
}

enum nss_status
_nss_benchnull_setservent (int stayopen)
{
  (void) stayopen;
  return NSS_STATUS_SUCCESS;
}

enum nss_status
_nss_benchnull_endservent (void)
{
  return NSS_STATUS_SUCCESS;
}

enum nss_status
_nss_benchnull_getservent_r (struct servent *result, char *buffer,
                             size_t buflen, int *errnop)
{
  (void) result; (void) buffer; (void) buflen;
  *errnop = ENOENT;
  return NSS_STATUS_NOTFOUND;
}
