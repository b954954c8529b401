#!/bin/bash
# portdb build on bad input: a message naming the file, a non-zero exit,
# the old database byte for byte as it was, no temporary file left.
. "${top_srcdir:-.}/tests/lib.sh"

out=$tmp/out
mkdir "$out"
printf 'good 1/tcp\n' > "$tmp/good"
"$PORTDB" build -q -o "$out/db.lmdb" "$tmp/good"
cp "$out/db.lmdb" "$tmp/before"

# expect_failure NAME-IN-MESSAGE TARGET SOURCE...: must fail, say NAME,
# and leave $out exactly as it was.
expect_failure() {
	local what=$1 target=$2; shift 2
	local rc=0
	"$PORTDB" build -o "$target" "$@" 2> "$tmp/err" > /dev/null || rc=$?
	[ "$rc" -ne 0 ] || fail "build of $* succeeded"
	grep -qF -- "$what" "$tmp/err" || fail "message does not name $what: $(cat "$tmp/err")"
	cmp -s "$out/db.lmdb" "$tmp/before" || fail "old database changed after: $*"
	[ "$(ls -A "$out")" = db.lmdb ] || fail "left behind in $out: $(ls -A "$out")"
	echo "ok: $(head -c 200 "$tmp/err")"
}

expect_failure "$tmp/missing" "$out/db.lmdb" "$tmp/missing"
expect_failure "$tmp" "$out/db.lmdb" "$tmp"                 # a directory

if [ "$(id -u)" -ne 0 ]; then
	printf 'x 2/tcp\n' > "$tmp/unreadable"; chmod 000 "$tmp/unreadable"
	expect_failure "$tmp/unreadable" "$out/db.lmdb" "$tmp/unreadable"
else
	# root reads anything; drop to nobody for the unreadable cases
	if command -v setpriv > /dev/null; then
		printf 'x 2/tcp\n' > "$tmp/unreadable"; chmod 000 "$tmp/unreadable"
		rc=0
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
			"$PORTDB" build -o "$tmp/nobody.lmdb" "$tmp/unreadable" 2> "$tmp/err" || rc=$?
		[ "$rc" -ne 0 ] && grep -qF "$tmp/unreadable" "$tmp/err" ||
			fail "unreadable source: rc=$rc $(cat "$tmp/err")"
		echo "ok: $(cat "$tmp/err")"
		# an unwritable target directory: $out is root's, mode 755
		rc=0
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
			"$PORTDB" build -o "$out/db.lmdb" "$tmp/good" 2> "$tmp/err" || rc=$?
		[ "$rc" -ne 0 ] && grep -qF "$out" "$tmp/err" ||
			fail "unwritable directory: rc=$rc $(cat "$tmp/err")"
		cmp -s "$out/db.lmdb" "$tmp/before" || fail "old database changed (unwritable dir)"
		[ "$(ls -A "$out")" = db.lmdb ] || fail "left behind: $(ls -A "$out")"
		echo "ok: $(cat "$tmp/err")"
	fi
fi
if [ "$(id -u)" -ne 0 ]; then
	chmod 555 "$out"
	expect_failure "$out" "$out/db.lmdb" "$tmp/good"
	chmod 755 "$out"
fi

# A target directory that does not exist.
expect_failure "$tmp/nodir" "$tmp/nodir/db.lmdb" "$tmp/good"

# Odd bytes and a 4000-byte name build, and answer (parity checks them
# against nss_files; here: they are found at all).
long=$(head -c 4000 /dev/zero | tr '\0' 'n')
printf 'ctl\001\177x 3/tcp\nbad\377utf\303 4/udp\nnul 5/tcp al\000ignored\n%s 6/tcp %s-alias\n' \
	"$long" "$long" > "$tmp/odd"
"$PORTDB" build -q -o "$out/odd.lmdb" "$tmp/odd"
need_program getent   # only the lookups below
[ "$(getent_portdb "$out/odd.lmdb" "$long" | awk '{print $2}')" = 6/tcp ] || fail "4000-byte name not found"
[ "$(getent_portdb "$out/odd.lmdb" "$long-alias" | awk '{print $2}')" = 6/tcp ] || fail "4000-byte alias not found"
[ "$(getent_portdb "$out/odd.lmdb" 5/tcp)" = "nul                   5/tcp al" ] || fail "NUL did not end the line"
getent_portdb "$out/odd.lmdb" "$(printf 'ctl\001\177x')" > /dev/null || fail "control bytes not found"
getent_portdb "$out/odd.lmdb" "$(printf 'bad\377utf\303')" > /dev/null || fail "invalid UTF-8 not found"
echo "ok: odd bytes and long names"
