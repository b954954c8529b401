/* Reading services sources into an in-memory set of encoded entries, in
 * the order the lines are read: the order getservent will give. */
#ifndef PORTDB_COLLECT_H
#define PORTDB_COLLECT_H

#include <stddef.h>
#include <stdint.h>

#include "meta.h"

struct entry_set {
	unsigned char *arena;     /* encoded records, back to back */
	size_t used, cap;
	size_t *offsets;          /* offsets[i]: record with seq i */
	uint32_t count;
	size_t offsets_cap;
	struct portdb_source *sources;
	uint32_t nsources;
	uint32_t skipped;         /* lines glibc drops, all sources */
};

/* Called for each line glibc would drop (not for blanks and comments). */
typedef void skip_fn(void *ctx, const char *path, unsigned long line,
		     int reason, size_t col);

/* Parse the services text file PATH and append its entries to SET.
 * @return 0; or an errno value with ERR describing it ("PATH: ...",
 * "PATH:LINE: ..."). */
int entry_set_add_file(struct entry_set *set, const char *path,
		       skip_fn *on_skip, void *ctx, char *err, size_t errlen);

void entry_set_free(struct entry_set *set);

#endif
