#!/bin/bash
# Live replacement under three looking-up threads; no growth in
# descriptors, mappings or RSS (see tests/stress.c).
. "${top_srcdir:-.}/tests/lib.sh"

[ "${PORTDB_SANITIZERS:-no}" = no ] || export STRESS_NO_RSS=1

# Every lookup checks the file (a stat per call): each replacement is
# seen by the next lookup, so 1,000 replacements are 1,000 reopenings.
# `make check` makes 200 (each waits for an fsync); `make check-full`
# (PORTDB_CHECK_FULL=1) 1,000, where a slow leak shows more in the RSS.
export NSS_PORTDB_RECHECK_MS=0 NSS_PORTDB_PATH=$tmp/db.lmdb
replacements=200 lookups=200000
[ "${PORTDB_CHECK_FULL:-}" != 1 ] || replacements=1000 lookups=1000000
LD_LIBRARY_PATH=$NSS_MODULE_DIR timeout 600 "$TESTS_BIN/stress" "$tmp" "${STRESS_REPLACEMENTS:-$replacements}" \
	"${STRESS_LOOKUPS:-$lookups}"

# With the default check interval, a replacement still shows within 2 s.
unset NSS_PORTDB_RECHECK_MS
LD_LIBRARY_PATH=$NSS_MODULE_DIR timeout 600 "$TESTS_BIN/stress" "$tmp" 5 10000

# fork(): a child reopens at once, whatever the parent's recheck clock.
mkdir "$tmp/fork"
NSS_PORTDB_PATH=$tmp/fork/db.lmdb LD_LIBRARY_PATH=$NSS_MODULE_DIR "$TESTS_BIN/fork-child" "$tmp/fork"
