#!/bin/bash
# In a program running on jemalloc or tcmalloc (preloaded, as a program
# linked with them runs), a replaced database is seen at once and a
# forked child answers from it: whatever the module frees, it must free
# with the malloc the program uses (tests/replace-fork.c).
. "${top_srcdir:-.}/tests/lib.sh"

[ "${PORTDB_SANITIZERS:-no}" = no ] ||
	skip "sanitizer build: ASan replaces malloc, so no other allocator can be preloaded"

# The allocator's path for the compiler the tests were built with (so
# for its architecture), or nothing when it is not installed.
allocator() {
	local p
	p=$(${CC:-cc} -print-file-name="$1" 2> /dev/null) || return 0
	case $p in /*) [ -e "$p" ] && echo "$p" ;; esac
	return 0
}

export NSS_PORTDB_RECHECK_MS=0 NSS_PORTDB_PATH=$tmp/db.lmdb
# one source each: a rebuilt source would make the old database stale
printf 'alloc-test 4711/tcp\n' > "$tmp/services.1"
printf 'alloc-test 4712/tcp\n' > "$tmp/services.2"

# replace_fork LABEL PRELOAD: the whole sequence with PRELOAD loaded first.
replace_fork() {
	local out rc=0
	"$PORTDB" build -q -o "$tmp/db.lmdb" "$tmp/services.1"
	"$PORTDB" build -q -o "$tmp/next.lmdb" "$tmp/services.2"
	out=$(LD_PRELOAD=$2 LD_LIBRARY_PATH=$NSS_MODULE_DIR \
		"$TESTS_BIN/replace-fork" alloc-test 4711 "$tmp/next.lmdb" 4712 2>&1) || rc=$?
	[ "$rc" -le 128 ] || fail "$1: killed by SIG$(kill -l $((rc - 128))):
$out"
	[ "$rc" -eq 0 ] || fail "$1: exit status $rc:
$out"
	echo "$1: $out"
}

# The control: the same sequence on glibc's malloc.
replace_fork "glibc malloc" ""
tested=0
for lib in libjemalloc.so.2 libtcmalloc_minimal.so.4; do
	path=$(allocator "$lib")
	if [ -z "$path" ]; then
		echo "note: $lib not installed, not tested"
		continue
	fi
	replace_fork "$lib" "$path"
	tested=$((tested + 1))
done
[ "$tested" -gt 0 ] || skip "neither libjemalloc.so.2 nor libtcmalloc_minimal.so.4 is installed"
