#!/bin/bash
# portdb dump: the database as services(5) text in file order; building
# from the dump gives a database that answers every question the same
# through libc (Debian's /etc/services, the edge cases, the IANA CSV
# sample and the IANA registry).  Exit statuses: 0, and 1 on errors.
# shellcheck source=tests/lib.sh disable=SC2154  # lib.sh sets $tmp
. "${top_srcdir:-.}/tests/lib.sh"
# shellcheck source=tests/tool-lib.sh
. "${top_srcdir:-.}/tests/tool-lib.sh"

# The text, exactly.
printf 'b 2/udp x y\n# comment\na 1/tcp\nnoport\n  c 3\nd 4/ tcp\ne 5/tcp/udp\n' >"$tmp/src"
"$PORTDB" build -q -o "$tmp/db.lmdb" "$tmp/src"
run 0 "$PORTDB" dump --db "$tmp/db.lmdb"
printf '# portdb dump of %s: 5 entries, services(5) text\nb\t2/udp\tx y\na\t1/tcp\nc\t3/\nd\t4/\ttcp\ne\t5/tcp/udp\n' \
	"$tmp/db.lmdb" >"$tmp/expected"
same_text "$tmp/expected" "$tmp/out" "dump"
printf 'a 1/tcp\n' >"$tmp/one"
"$PORTDB" build -q -o "$tmp/one.lmdb" "$tmp/one"
run 0 "$PORTDB" dump --db "$tmp/one.lmdb"
[ "$(head -n 1 "$tmp/out")" = "# portdb dump of $tmp/one.lmdb: 1 entry, services(5) text" ] ||
	fail "dump of one entry: $(head -n 1 "$tmp/out")"
echo "ok: dump prints services(5) text in file order"

# build -> dump -> build answers the same, through libc.
round_trip() { # NAME SOURCE [BUILD-OPTION...]
	local name=$1 src=$2
	shift 2
	"$PORTDB" build -q -o "$tmp/$name-1.lmdb" "$@" "$src" || fail "$name: build failed"
	"$PORTDB" dump --db "$tmp/$name-1.lmdb" >"$tmp/$name.dump" || fail "$name: dump failed"
	"$PORTDB" build -q -o "$tmp/$name-2.lmdb" "$tmp/$name.dump" || fail "$name: build of the dump failed"
	same_answers "$tmp/$name-1.lmdb" "$tmp/$name-2.lmdb" "$name: build, dump, build"
	# And the dump of the rebuilt database is the same text.
	"$PORTDB" dump --db "$tmp/$name-2.lmdb" | tail -n +2 >"$tmp/$name.dump2"
	tail -n +2 "$tmp/$name.dump" >"$tmp/$name.dump1"
	cmp -s "$tmp/$name.dump1" "$tmp/$name.dump2" || fail "$name: the dump of the rebuilt database differs"
	rm -f "$tmp/$name"-[12].lmdb "$tmp/$name".dump*
}
round_trip small "$tmp/src"
round_trip edge "$top_srcdir/data/edge-services"
round_trip iana-csv "$top_srcdir/data/iana-sample.csv" --format=iana-csv
[ -f /etc/services ] && round_trip system /etc/services
if [ -f /usr/share/wireshark/services ]; then
	round_trip iana /usr/share/wireshark/services --format=wireshark
else
	echo "SKIP (part): /usr/share/wireshark/services not found (Debian package libwireshark-data)"
fi

# A database answers the same whoever may write it: dump does not apply
# the module's trust rules (info says whether the module would).
cp "$tmp/db.lmdb" "$tmp/open.lmdb"
chmod 666 "$tmp/open.lmdb"
run 0 "$PORTDB" dump --db "$tmp/open.lmdb"

run 1 "$PORTDB" dump --db "$tmp/no-such.lmdb"
grep -q "$tmp/no-such.lmdb" "$tmp/err" || fail "missing database: $(cat "$tmp/err")"
head -c 8192 /dev/urandom >"$tmp/garbage.lmdb"
run 1 "$PORTDB" dump --db "$tmp/garbage.lmdb"
cp "$tmp/src" "$tmp/text.lmdb"
run 1 "$PORTDB" dump --db "$tmp/text.lmdb"
run 1 "$PORTDB" dump --db "$tmp/db.lmdb" extra
run 1 "$PORTDB" dump --no-such-option
echo "ok: exit 1 for a missing or invalid database and bad usage"
