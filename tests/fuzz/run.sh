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
	-I$top -I$top/nss_portdb"
# The core without what needs liblmdb (writer.c) or the file system
# (collect.c): the read half and the encoders and readers of text.
core=
for f in entry index keys meta seal checksum lmdb_reader why db \
	entry_write index_write meta_write seal_write parse csv formats; do
	core="$core $top/nss_portdb/$f.c"
done
for t in parse index db reader formats; do
	# shellcheck disable=SC2086
	clang $cflags -o "$out/fuzz_$t" "$top/tests/fuzz/fuzz_$t.c" $core
done

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
