/* libFuzzer target: the decoders of database content (the index value and
 * its records), on any bytes, as a corrupt or hostile file would give
 * them once past the checksum.  Nothing may read outside the input. */
#include <config.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct index_view ix;
	struct entry_view v;
	struct servent s;
	static const char *const names[] = { "ssh", "http", "a", "" };
	static const char *const protos[] = { "tcp", "udp", "" };
	char buf[512];
	/* an exact-size copy, so that ASan sees any read past the end */
	uint8_t *copy = malloc(size ? size : 1);

	memcpy(copy, data, size);
	if (entry_decode(copy, size, &v) != 0)
		entry_to_servent(&v, &s, buf, sizeof buf);
	if (index_view_init(&ix, copy, size, NULL) == 0) {
		for (size_t i = 0; i < 4; i++) {
			struct query q = { .kind = QUERY_NAME, .name = names[i],
					   .len = strlen(names[i]), .proto = i < 3 ? protos[i] : NULL };
			if (index_find(&ix, &q, &v) == 0)
				entry_to_servent(&v, &s, buf, sizeof buf);
			q = (struct query){ .kind = QUERY_PORT, .port_net = htons((uint16_t)(i * 40)),
					    .proto = i < 3 ? protos[i] : NULL };
			if (index_find(&ix, &q, &v) == 0)
				entry_to_servent(&v, &s, buf, sizeof buf);
		}
		for (uint32_t seq = 0; seq < ix.nentries && seq < 64; seq++)
			if (index_entry_at(&ix, seq, &v) == 0)
				entry_to_servent(&v, &s, buf, sizeof buf);
	}
	free(copy);
	return 0;
}
