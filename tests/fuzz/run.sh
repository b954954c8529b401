#!/bin/bash
# Build the libFuzzer targets with clang and run each for a bounded time.
# Usage: tests/fuzz/run.sh [SECONDS]   (from the top of a configured tree)
# A crash fails the run; its input is left in tests/fuzz/findings/ to be
# fixed and kept in the corpus as a regression test.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
out=${FUZZ_OUT:-$top/fuzz-build}
command -v clang > /dev/null || { echo "SKIP: clang not installed"; exit 77; }
mkdir -p "$out" "$top/tests/fuzz/findings"

cflags="-g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-I$top -I$top/nss_portdb -DPORTDB_DB_PATH=\"/nonexistent\""
core="$top/nss_portdb/entry.c $top/nss_portdb/index.c $top/nss_portdb/keys.c
	$top/nss_portdb/meta.c $top/nss_portdb/seal.c $top/nss_portdb/checksum.c
	$top/nss_portdb/lmdb_reader.c $top/nss_portdb/why.c"
# shellcheck disable=SC2086
clang $cflags -o "$out/fuzz_parse" "$top/tests/fuzz/fuzz_parse.c" $core "$top/nss_portdb/parse.c"
# shellcheck disable=SC2086
clang $cflags -o "$out/fuzz_index" "$top/tests/fuzz/fuzz_index.c" $core
# shellcheck disable=SC2086
clang $cflags -o "$out/fuzz_db" "$top/tests/fuzz/fuzz_db.c" $core "$top/nss_portdb/db.c"
# shellcheck disable=SC2086
clang $cflags -o "$out/fuzz_reader" "$top/tests/fuzz/fuzz_reader.c" $core "$top/nss_portdb/db.c"
# shellcheck disable=SC2086
clang $cflags -o "$out/fuzz_formats" "$top/tests/fuzz/fuzz_formats.c" $core \
	"$top/nss_portdb/parse.c" "$top/nss_portdb/csv.c" "$top/nss_portdb/formats.c"

status=0
for t in parse index db reader formats; do
	corpus=$out/corpus-$t
	mkdir -p "$corpus"
	# fuzz_reader starts from the databases of fuzz_db
	cp -n "$top"/tests/fuzz/corpus/"${t/reader/db}"/* "$corpus"/ 2>/dev/null || true
	echo "fuzz: $t for ${secs}s"
	if ! "$out/fuzz_$t" -max_total_time="$secs" -max_len=65536 -timeout=10 \
		-artifact_prefix="$top/tests/fuzz/findings/$t-" -print_final_stats=1 \
		"$corpus" 2> "$out/$t.log"; then
		tail -n 40 "$out/$t.log"
		status=1
	fi
	grep -E '^stat::number_of_executed_units|^Done' "$out/$t.log" || true
done
exit $status
