#!/bin/bash
# Replay the fuzz corpus (seeds and every input a fuzzer found) through
# the fuzz targets, built without libFuzzer.
. "${top_srcdir:-.}/tests/lib.sh"

for t in parse index db; do
	set -- "$top_srcdir"/tests/fuzz/corpus/$t/*
	[ -e "$1" ] || fail "empty corpus: $t"
	"$TESTS_BIN/fuzz/replay-$t" "$@"
done
