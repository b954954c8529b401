#!/bin/bash
# Builds killed at many moments of a 200,000-entry build, by SIGKILL
# (which nothing can catch) and by SIGUSR1 and SIGALRM: the database is
# always a complete old or new one, and the next build removes every
# temporary they left.  Two builds into one directory at once both
# succeed (they take turns).  The offsets only spread the kills over
# the build; nothing here is timed.
# shellcheck source=tests/lib.sh disable=SC2154  # lib.sh sets $tmp
. "${top_srcdir:-.}/tests/lib.sh"

mkdir "$tmp/d"
db=$tmp/d/db.lmdb
gen() { # N FILE: N entries
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
		printf "svc-%d %d/%s alias-%d\n", i, 1 + i % 65535, i % 2 ? "tcp" : "udp", i }' >"$2"
}
gen 200000 "$tmp/a"
gen 200001 "$tmp/b"
"$PORTDB" build -q -o "$db" "$tmp/a"

# whole: the database is the one from a or the one from b, and complete
# (info reads the metadata, the module answers the last entry of a).
whole() {
	local entries got
	"$PORTDB" info -d "$db" >"$tmp/info" 2>&1 || fail "$1: portdb info: $(cat "$tmp/info")"
	entries=$(sed -n 's/^entries: *\([0-9]*\) .*/\1/p' "$tmp/info")
	[ "$entries" = 200000 ] || [ "$entries" = 200001 ] || fail "$1: $entries entries"
	got=$(NSS_PORTDB_PATH=$db NSS_PORTDB_RECHECK_MS=0 "$TESTS_BIN/nss-call" svc-199999 tcp)
	case $got in
	"SUCCESS svc-199999 "*) ;;
	*) fail "$1: the module answers '$got'" ;;
	esac
}

signals=(KILL KILL USR1 KILL KILL ALRM)
i=0
left=0
for offset in 0 0.05 0.1 0.2 0.25 0.3 0.35 0.4 0.45 0.5 0.55 0.6 0.65 0.7 0.8 0.9 1 1.2; do
	sig=${signals[i % 6]}
	src=$tmp/a
	[ $((i % 2)) -eq 0 ] || src=$tmp/b
	i=$((i + 1))
	"$PORTDB" build -q -o "$db" "$src" &
	pid=$!
	sleep "$offset"
	kill -s "$sig" "$pid" 2>/dev/null || true
	wait "$pid" || true
	whole "SIG$sig at ${offset}s"
	# (the next build removes it: counted here)
	left=$((left + $(find "$tmp/d" -name '.db.lmdb.??????' | wc -l)))
done
echo "ok: $i builds killed (SIGKILL, SIGUSR1, SIGALRM); the database was complete after each; $left temporaries left by SIGKILL"
# One left for certain, as a build killed while writing leaves it (the
# kills above may all have missed that moment); and what is not a
# temporary of this database: another name, a directory.
head -c 100000 "$db" >"$tmp/d/.db.lmdb.Xy12Zw"
touch "$tmp/d/.db.lmdb.keep" "$tmp/d/.other.lmdb.ABC123"
mkdir "$tmp/d/.db.lmdb.DIR123"
"$PORTDB" build -q -o "$db" "$tmp/a"
whole "the build after"
ls -A "$tmp/d" | sort >"$tmp/got"
printf '%s\n' .db.lmdb.DIR123 .db.lmdb.keep .other.lmdb.ABC123 db.lmdb | sort >"$tmp/want"
diff -u "$tmp/want" "$tmp/got" >"$tmp/diff" || fail "after the next build, the directory holds:
$(cat "$tmp/diff")"
echo "ok: the next build removed them all, and nothing else"

# Two builds at once into one directory: the second waits for the first's
# lock and sweeps nothing of a live build.
"$PORTDB" build -q -o "$db" "$tmp/b" &
pid=$!
rc=0
"$PORTDB" build -q -o "$db" "$tmp/a" || rc=$?
wait "$pid" || fail "two builds at once: the first failed"
[ "$rc" -eq 0 ] || fail "two builds at once: the second exited $rc"
whole "two builds at once"
[ -z "$(find "$tmp/d" -name '.db.lmdb.??????' -type f)" ] || fail "two builds at once left a temporary"
echo "ok: two builds at once both succeed and leave nothing"
