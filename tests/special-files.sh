#!/bin/bash
# A FIFO, a directory or a device at the database path makes the module
# answer UNAVAIL at once: opening a FIFO must not wait for a writer.
# (A symbolic link there is tests/unit/test_module.c's.)  The timeout
# only tells a hang from an answer; nothing here is timed.
. "${top_srcdir:-.}/tests/lib.sh"

db=$tmp/db.lmdb
# status_at WHAT: the status of one lookup, with WHAT at the path.
status_at() {
	local out rc=0
	out=$(NSS_PORTDB_PATH=$db timeout 20 "$TESTS_BIN/nss-call" special-test tcp) || rc=$?
	[ "$rc" -ne 124 ] || fail "$1: the lookup hung (no answer within 20 s)"
	[ "$rc" -eq 0 ] || fail "$1: nss-call exit status $rc: $out"
	echo "$out"
}
expect_unavail() {
	local got
	got=$(status_at "$1")
	[ "$got" = UNAVAIL ] || fail "$1: got '$got', want UNAVAIL"
	echo "ok: $1: UNAVAIL"
}

# The control: a database at the path answers.
printf 'special-test 4711/tcp\n' > "$tmp/services"
"$PORTDB" build -q -o "$db" "$tmp/services"
got=$(status_at "a database")
[ "$got" = "SUCCESS special-test 4711/tcp" ] || fail "a database: got '$got'"
echo "ok: a database: $got"

rm "$db" && mkfifo -m 644 "$db"
expect_unavail "a FIFO"
rm "$db" && mkdir -m 755 "$db"
expect_unavail "a directory"
rmdir "$db"
if mknod -m 644 "$db" c 1 3 2> /dev/null; then   # /dev/null's numbers
	expect_unavail "a character device"
else
	echo "note: cannot create a device node here (not root?): that case not tested"
fi
