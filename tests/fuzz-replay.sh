#!/bin/bash
# Replay the fuzz corpus (seeds and every input a fuzzer found) through
# the fuzz targets, built without libFuzzer.
. "${top_srcdir:-.}/tests/lib.sh"

# fuzz_reader's inputs are databases, as fuzz_db's are.
for t in parse index db reader formats; do
	set -- "$top_srcdir"/tests/fuzz/corpus/"${t/reader/db}"/*
	[ -e "$1" ] || fail "empty corpus: $t"
	"$TESTS_BIN/fuzz/replay-$t" "$@"
done
