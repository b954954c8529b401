#!/bin/bash
# Children spawned while another thread makes the module reopen the
# database inherit no descriptor of it (tests/spawn-cloexec.c).
. "${top_srcdir:-.}/tests/lib.sh"

[ -d /proc/self/fd ] || skip "no /proc: a child cannot list its descriptors"
# one source each: a rebuilt source would make the other database stale
printf 'spawn-test 4711/tcp\n' > "$tmp/services.a"
printf 'spawn-test 4712/tcp\n' > "$tmp/services.b"
"$PORTDB" build -q -o "$tmp/a.lmdb" "$tmp/services.a"
"$PORTDB" build -q -o "$tmp/b.lmdb" "$tmp/services.b"
ln "$tmp/a.lmdb" "$tmp/db.lmdb"

# Every lookup checks the file, so the looking-up thread reopens all the
# time.  1,000 children: a descriptor left open for a moment between
# open() and fcntl() is caught by a few per cent of them, and still by
# some on a loaded machine.
NSS_PORTDB_RECHECK_MS=0 NSS_PORTDB_PATH=$tmp/db.lmdb LD_LIBRARY_PATH=$NSS_MODULE_DIR \
	timeout 120 "$TESTS_BIN/spawn-cloexec" "$tmp/a.lmdb" "$tmp/b.lmdb" 1000
