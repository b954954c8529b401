#!/bin/bash
# LMDB's own tools read what `portdb build` writes: mdb_stat walks it
# and mdb_dump prints as many key/value pairs as mdb_stat counts
# entries.  The file is one LMDB file (-n: no environment directory)
# with only the unnamed database, so mdb_dump runs without -a, which
# would look for named sub-databases and, by design, find none.
. "${top_srcdir:-.}/tests/lib.sh"

for tool in mdb_stat mdb_dump; do
	command -v "$tool" > /dev/null || skip "$tool (lmdb-utils) not installed"
done
# LMDB's layout is its writer's word size: an i386 portdb's file is for
# i386 LMDB tools (the module reads both: tests/cross-arch.sh).
prog=$(elf_arch "$(readlink -f -- "$(command -v mdb_stat)")")
mine=$(elf_arch "$NSS_MODULE_DIR/libnss_portdb.so.2")
[ -z "$prog" ] || [ -z "$mine" ] || [ "$prog" = "$mine" ] ||
	skip "mdb_stat is $prog, this build $mine: its LMDB files have another layout"

# enough entries for values that span many overflow pages
awk 'BEGIN { for (i = 1; i <= 3000; i++) printf "svc-%d %d/tcp alias-%d\n", i, 10000 + i, i }' \
	> "$tmp/services"
"$PORTDB" build -q -o "$tmp/db.lmdb" "$tmp/services"

stat=$(mdb_stat -n -a "$tmp/db.lmdb") || fail "mdb_stat -n -a: exit status $?"
echo "$stat"
# the first Entries: line is the main (unnamed) database's
entries=$(awk '/^ *Entries:/ { print $2; exit }' <<< "$stat")
[ -n "$entries" ] && [ "$entries" -gt 0 ] || fail "mdb_stat reports no entries"

mdb_dump -n "$tmp/db.lmdb" > "$tmp/dump" || fail "mdb_dump -n: exit status $?"
# between HEADER=END and DATA=END: a key line and a value line a pair,
# each starting with a space
lines=$(awk '/^HEADER=END$/ { d = 1; next } /^DATA=END$/ { d = 0 } d && /^ / { n++ } END { print n + 0 }' \
	"$tmp/dump")
grep -qx 'DATA=END' "$tmp/dump" || fail "mdb_dump: no DATA=END"
[ $((lines % 2)) -eq 0 ] || fail "mdb_dump printed an odd number of key and value lines ($lines)"
[ $((lines / 2)) -eq "$entries" ] ||
	fail "mdb_dump printed $((lines / 2)) pairs, mdb_stat counts $entries entries"
echo "ok: mdb_stat counts $entries entries, mdb_dump prints $((lines / 2)) pairs"
