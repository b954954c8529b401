/* libFuzzer target: the services parser on any bytes, read as the tools
 * read text (svc_read: its line splitting, then svc_parse_line).  Every
 * entry must encode and decode to the same strings. */
#include <config.h>

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_entry(void *ctx, const struct svc_line *l, const struct svc_pos *pos)
{
	struct entry_in e = { .seq = 1, .line = (uint32_t)pos->line, .port = l->port,
			      .proto = l->proto, .name = l->name, .aliases = l->aliases,
			      .naliases = l->naliases };
	struct entry_view v;
	unsigned char *rec;
	size_t len;

	(void)ctx;
	assert(entry_encoded_size(&e, &len) == 0);
	rec = malloc(len);
	assert(rec != NULL && entry_encode(&e, rec, len) == 0);
	assert(entry_decode(rec, len, &v) == len);
	assert(strcmp(v.name, l->name) == 0 && strcmp(v.proto, l->proto) == 0);
	assert(v.naliases == l->naliases);
	assert(l->name[0] != '\0' && strpbrk(l->name, " \t\n\v\f\r#") == NULL);
	free(rec);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct svc_sink sink = { .entry = on_entry };

	assert(svc_read((const char *)data, size, SVC_FORMAT_SERVICES, &sink) == 0);
	return 0;
}
