#!/bin/bash
# A source edited while `portdb build` runs: after every exit status 0 the
# database is current (portdb info and the module agree) and answers the
# edit.  Edits land at many moments of a 100,000-entry build (200,000 and
# more moments in `make check-full`): appends
# (the size changes), and in-place rewrites of the same length with the
# modification time put back, which only the content check can see.  The
# offsets only spread the edits over the build; nothing here is timed.
# shellcheck source=tests/lib.sh disable=SC2154  # lib.sh sets $tmp
. "${top_srcdir:-.}/tests/lib.sh"

src=$tmp/services
db=$tmp/db.lmdb
# make check: 100,000 entries and the first six offsets; check-full: all.
entries=100000 offsets="0 0.02 0.05 0.1 0.2 0.3"
if [ "${PORTDB_CHECK_FULL-}" = 1 ]; then
	entries=200000 offsets="0 0.02 0.05 0.1 0.2 0.3 0.4 0.5 0.6 0.8 1"
fi
awk -v n="$entries" 'BEGIN { for (i = 0; i < n; i++)
	printf "svc-%d %d/%s alias-%d\n", i, 1 + i % 65535, i % 2 ? "tcp" : "udp", i }' >"$src"

# module_answers NAME PROTO: the module itself (its staleness check
# included) answers NAME.
module_answers() {
	local got
	got=$(NSS_PORTDB_PATH=$db NSS_PORTDB_RECHECK_MS=0 "$TESTS_BIN/nss-call" "$1" "$2")
	case $got in
	"SUCCESS $1 "*) ;;
	*) fail "round $round: the module answers '$got' for $1/$2 after exit 0" ;;
	esac
}

# is_current: portdb info says the database is current.
is_current() {
	"$PORTDB" info -d "$db" >"$tmp/info" || fail "portdb info: $(cat "$tmp/info")"
	grep -q '^state: *current$' "$tmp/info" ||
		fail "round $round ($1): exit 0, but
$(cat "$tmp/info")"
}

# edit_was_seen: the edit was complete before the database now in place
# was renamed there (the source's change time is older than the
# database's), so the check that build makes after that rename saw it.
# An edit that lands later, while build is exiting, is the next build's:
# nothing the build can do (and, under systemd, portdb-changed.service
# restarts the build for it).
edit_was_seen() {
	awk -v s="$(stat -c %.9Z "$src")" -v d="$(stat -c %.9Z "$db")" 'BEGIN { exit !(s < d) }'
}

"$PORTDB" build -q -o "$db" "$src"
round=0
during=0
for offset in $offsets; do
	# An append: a new entry at the end.
	round=$((round + 1))
	"$PORTDB" build -o "$db" "$src" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	sleep "$offset"
	printf 'edit-%d %d/tcp\n' "$round" "$((40000 + round))" >>"$src"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] || fail "round $round (append at ${offset}s): exit $rc: $(cat "$tmp/err")"
	if edit_was_seen; then
		during=$((during + 1))
		is_current append
		module_answers "edit-$round" tcp
	else
		"$PORTDB" build -q -o "$db" "$src"   # the edit came after the rename
	fi
	# builds that read the file before the edit report it twice
	[ "$(grep -c "^portdb: $src:" "$tmp/out")" -eq 1 ] || fail "round $round: report: $(cat "$tmp/out")"

	# A rewrite in place of one line, same length, same mtime: only the
	# bytes differ (svc-N becomes chg-N).
	round=$((round + 1))
	n=$((round * 1000))
	off=$(grep -b -m 1 "^svc-$n " "$src" | cut -d: -f1)
	[ -n "$off" ] || fail "round $round: no line svc-$n"
	proto=udp
	[ $((n % 2)) -eq 0 ] || proto=tcp
	touch -r "$src" "$tmp/stamp"
	"$PORTDB" build -q -o "$db" "$src" 2>"$tmp/err" &
	pid=$!
	sleep "$offset"
	printf chg | LD_PRELOAD= dd of="$src" bs=1 seek="$off" conv=notrunc status=none
	touch -r "$tmp/stamp" "$src"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] || fail "round $round (rewrite at ${offset}s): exit $rc: $(cat "$tmp/err")"
	if edit_was_seen; then
		during=$((during + 1))
		is_current rewrite
		module_answers "chg-$n" "$proto"
		"$PORTDB" get -d "$db" "svc-$n" >/dev/null 2>&1 &&
			fail "round $round: svc-$n still answers after it was rewritten"
	else
		"$PORTDB" build -q -o "$db" "$src"
	fi
done
[ "$during" -ge $((round / 4)) ] ||
	fail "only $during of $round edits came before the database was renamed in place: the test tested little"
echo "ok: $during of $round edits came before build put the database in place; after each exit 0 the database was current and answered the edit"

# Edits that never stop: every build finds a source changed, and after
# its last attempt build says the database is stale, with status 3.
( while :; do printf 'more 1/tcp\n' >>"$src"; done ) &
editor=$!
rc=0
"$PORTDB" build -q -o "$db" "$src" 2>"$tmp/err" || rc=$?
kill "$editor"
wait "$editor" 2>/dev/null || true
[ "$rc" -eq 3 ] || fail "a source that never stops changing: exit $rc, want 3: $(cat "$tmp/err")"
grep -q "published, but stale: .*during each of 5 builds" "$tmp/err" ||
	fail "a source that never stops changing: $(cat "$tmp/err")"
echo "ok: sources that keep changing: exit 3, $(cat "$tmp/err")"
