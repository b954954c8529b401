/* helgrind's client requests where the headers are installed, else
 * nothing.  They run once per allocation or release, never per lookup, and cost a
 * few instructions outside valgrind. */
#ifndef PORTDB_VALGRIND_H
#define PORTDB_VALGRIND_H

#if defined(__has_include)
#if __has_include(<valgrind/helgrind.h>)
#include <valgrind/helgrind.h>
#endif
#endif

#ifndef VALGRIND_HG_DISABLE_CHECKING
#define VALGRIND_HG_DISABLE_CHECKING(addr, len) ((void)(addr), (void)(len))
#endif
#ifndef VALGRIND_HG_CLEAN_MEMORY
#define VALGRIND_HG_CLEAN_MEMORY(addr, len) ((void)(addr), (void)(len))
#endif

#endif
