#!/bin/bash
# portdb build under faults of the file system: a full disk says "No
# space left on device" (LMDB's short writev says EIO), `ulimit -f` says
# "File too large", and both leave the old database as it was and no
# temporary; a failed fsync of the directory after the rename says the
# database is published and exits 4, not 1 ("nothing published").
# shellcheck source=tests/lib.sh disable=SC2154  # lib.sh sets $tmp
. "${top_srcdir:-.}/tests/lib.sh"
# shellcheck source=tests/tool-lib.sh
. "${top_srcdir:-.}/tests/tool-lib.sh"

awk 'BEGIN { for (i = 0; i < 100000; i++)
	printf "svc-%d %d/%s alias-%d\n", i, 1 + i % 65535, i % 2 ? "tcp" : "udp", i }' >"$tmp/big"
printf 'old-entry 4711/tcp\n' >"$tmp/small"

# unchanged DIR: DIR holds the old database alone, unchanged.
unchanged() {
	[ "$(ls -A "$1")" = db.lmdb ] || fail "$2: $1 holds: $(ls -A "$1")"
	cmp -s "$1/db.lmdb" "$tmp/old.lmdb" || fail "$2: the old database changed"
}

# ---------------------------------------------------- ulimit -f: EFBIG
mkdir "$tmp/lim"
"$PORTDB" build -q -o "$tmp/lim/db.lmdb" "$tmp/small"
cp "$tmp/lim/db.lmdb" "$tmp/old.lmdb"
run 1 bash -c 'ulimit -f 1024 && exec "$0" build -q -o "$1" "$2"' "$PORTDB" "$tmp/lim/db.lmdb" "$tmp/big"
grep -q "File too large" "$tmp/err" || fail "ulimit -f: $(cat "$tmp/err")"
unchanged "$tmp/lim" "ulimit -f"
echo "ok: ulimit -f: $(cat "$tmp/err")"

# ---------------------------------- the directory's fsync fails: exit 4
run 4 env LD_PRELOAD="${LD_PRELOAD:+$LD_PRELOAD }$TESTS_BIN/.libs/libfail-dirsync.so" \
	"$PORTDB" build -q -o "$tmp/lim/db.lmdb" "$tmp/small" "$tmp/lim/../small"
grep -q "is published, but may not survive a crash: fsync of .*: Input/output error" "$tmp/err" ||
	fail "a failed directory fsync: $(cat "$tmp/err")"
[ "$("$PORTDB" info -d "$tmp/lim/db.lmdb" | sed -n 's/^sources: *//p')" = 2 ] ||
	fail "a failed directory fsync: the new database is not in place"
echo "ok: a failed directory fsync: exit 4, $(cat "$tmp/err")"

# ------------------------------------------------ a full disk: ENOSPC
[ "$(id -u)" = 0 ] || skip "a full disk needs root, to mount a small tmpfs (the rest passed)"
command -v unshare >/dev/null || skip "a full disk needs unshare(1) (the rest passed)"
unshare --mount true 2>/dev/null || skip "cannot make a mount namespace here (the rest passed)"
mkdir "$tmp/full"
unshare --mount bash -c '
	set -e
	mount -t tmpfs -o size=2m tmpfs "$1"
	"$PORTDB" build -q -o "$1/db.lmdb" "$2"
	cp "$1/db.lmdb" "$3"
	rc=0
	"$PORTDB" build -q -o "$1/db.lmdb" "$4" 2>"$5" || rc=$?
	echo "$rc" >"$6"
	ls -A "$1" >"$7"
	cmp -s "$1/db.lmdb" "$3" && echo same >>"$7"
' full "$tmp/full" "$tmp/small" "$tmp/old.lmdb" "$tmp/big" "$tmp/err" "$tmp/rc" "$tmp/ls"
[ "$(cat "$tmp/rc")" = 1 ] || fail "a full disk: exit $(cat "$tmp/rc"): $(cat "$tmp/err")"
grep -q "No space left on device" "$tmp/err" || fail "a full disk: $(cat "$tmp/err")"
[ "$(cat "$tmp/ls")" = "db.lmdb
same" ] || fail "a full disk: the tmpfs holds: $(cat "$tmp/ls")"
echo "ok: a full disk: $(cat "$tmp/err"); the old database unchanged, no temporary"
