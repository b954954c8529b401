#!/bin/bash
# What build refuses as a source, at once and naming it: a character or
# block device (/dev/zero would grow without end), a FIFO (no writer: no
# hang), a file over the 256 MiB limit; and `-o ""` is a usage error.
# check reads a FIFO as a pipe, up to the same limit.  The timeouts only
# tell a hang from an answer; nothing here is timed.
# shellcheck source=tests/lib.sh disable=SC2154  # lib.sh sets $tmp
. "${top_srcdir:-.}/tests/lib.sh"
# shellcheck source=tests/tool-lib.sh
. "${top_srcdir:-.}/tests/tool-lib.sh"

printf 'old-entry 4711/tcp\n' >"$tmp/small"
"$PORTDB" build -q -o "$tmp/db.lmdb" "$tmp/small"
cp "$tmp/db.lmdb" "$tmp/old.lmdb"

# refused WHAT MESSAGE-RE CMD...: CMD exits 1 with MESSAGE-RE on stderr,
# and the database is unchanged.
refused() {
	local what=$1 re=$2
	shift 2
	run 1 timeout 60 "$@"
	grep -Eq "$re" "$tmp/err" || fail "$what: stderr: $(cat "$tmp/err")"
	cmp -s "$tmp/db.lmdb" "$tmp/old.lmdb" || fail "$what: the database changed"
	[ "$(find "$tmp" -name '.db.lmdb.*' | wc -l)" = 0 ] || fail "$what: a temporary is left"
	echo "ok: $what: $(head -n 1 "$tmp/err")"
}

refused "/dev/zero" "^portdb: /dev/zero: a character device, not a services file$" \
	"$PORTDB" build -q -o "$tmp/db.lmdb" /dev/zero
refused "/dev/zero after a good source" "^portdb: /dev/zero: a character device" \
	"$PORTDB" build -q -o "$tmp/db.lmdb" "$tmp/small" /dev/zero
run 2 timeout 60 "$PORTDB" check /dev/zero
grep -q "/dev/zero: .*a character device" "$tmp/out" "$tmp/err" || fail "check /dev/zero: $(cat "$tmp/out" "$tmp/err")"
echo "ok: check /dev/zero refused"
blk=$(find /dev -maxdepth 1 -type b 2>/dev/null | head -n 1)
if [ -n "$blk" ] && [ -r "$blk" ]; then
	refused "a block device" "^portdb: $blk: a block device, not a services file$" \
		"$PORTDB" build -q -o "$tmp/db.lmdb" "$blk"
else
	echo "note: no readable block device here: that case not tested"
fi

mkfifo "$tmp/fifo"
refused "a FIFO without a writer" "^portdb: $tmp/fifo: a FIFO, not a regular file" \
	"$PORTDB" build -q -o "$tmp/db.lmdb" "$tmp/fifo"
# check reads a FIFO (as from <(command)); one that never ends stops at
# the limit.
( yes 'pipe-entry 4711/tcp' >"$tmp/fifo" 2>/dev/null || true ) &
writer=$!
run 2 timeout 120 "$PORTDB" check "$tmp/fifo"
kill "$writer" 2>/dev/null || true
wait "$writer" 2>/dev/null || true
grep -q "$tmp/fifo: .*over the 256 MiB limit of a source" "$tmp/out" "$tmp/err" ||
	fail "check of a FIFO that never ends: $(cat "$tmp/out" "$tmp/err")"
echo "ok: check of a FIFO that never ends: refused at the limit"

truncate -s 257M "$tmp/huge"
refused "a file over the limit" "^portdb: $tmp/huge: 269484032 bytes, over the 256 MiB limit of a source$" \
	"$PORTDB" build -q -o "$tmp/db.lmdb" "$tmp/huge"

refused '-o ""' '^portdb: build: -o: the database path is empty$' \
	"$PORTDB" build -q -o "" "$tmp/small"
