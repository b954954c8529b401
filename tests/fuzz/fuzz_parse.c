/* libFuzzer target: the services parser and the line reader, on any bytes.
 * Every accepted line must give an entry that encodes and decodes to the
 * same strings. */
#include <config.h>

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct svc_file f = { 0 };
	struct svc_line l = { 0 };
	long n;

	f.fp = fmemopen((void *)data, size, "r");
	if (f.fp == NULL)
		return 0;
	while ((n = svc_file_next(&f)) >= 0) {
		struct entry_in e;
		struct entry_view v;
		unsigned char *rec;
		size_t len;

		if (svc_parse_line(f.buf, (size_t)n, &l) != PARSE_OK)
			continue;
		e = (struct entry_in){ .seq = 1, .line = (uint32_t)f.lineno, .port = l.port,
				       .proto = l.proto, .name = l.name, .aliases = l.aliases,
				       .naliases = l.naliases };
		assert(entry_encoded_size(&e, &len) == 0);
		rec = malloc(len);
		assert(rec != NULL && entry_encode(&e, rec, len) == 0);
		assert(entry_decode(rec, len, &v) == len);
		assert(strcmp(v.name, l.name) == 0 && strcmp(v.proto, l.proto) == 0);
		assert(v.naliases == l.naliases);
		assert(l.name[0] != '\0' && strpbrk(l.name, " \t\n\v\f\r#") == NULL);
		free(rec);
	}
	svc_line_free(&l);
	free(f.buf);
	fclose(f.fp);
	return 0;
}
