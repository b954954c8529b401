#!/bin/bash
# portdb build with several sources (an earlier one wins), the drop-in
# directory (its entries answer through libc; adding a file makes the
# database stale), staleness of every source, --strict, files that look
# like other formats read as services(5) text as glibc reads them, and
# building from IANA's CSV, nmap-services and Wireshark's merged form
# named with --format, each answered through the real libc by the
# unmodified getent.
# shellcheck source=tests/lib.sh disable=SC2154  # lib.sh sets $tmp
. "${top_srcdir:-.}/tests/lib.sh"
# shellcheck source=tests/tool-lib.sh
. "${top_srcdir:-.}/tests/tool-lib.sh"

need_program getent

# ------------------------------------------------ several sources
printf 'pdb-alpha 45001/tcp pa\npdb-shared 45002/tcp\n' >"$tmp/s1"
printf 'pdb-shared 45003/tcp\npdb-beta 45004/udp pb\n' >"$tmp/s2"
run 0 "$PORTDB" build -o "$tmp/db.lmdb" "$tmp/s1" "$tmp/s2"
printf 'portdb: %s: 2 entries, 0 lines skipped\nportdb: %s: 2 entries, 0 lines skipped\n' \
	"$tmp/s1" "$tmp/s2" >"$tmp/expected"
same_text "$tmp/expected" "$tmp/out" "build's report of two sources"
expect_getent "$tmp/db.lmdb" 0 "$(line pdb-shared 45002 tcp)" pdb-shared
expect_getent "$tmp/db.lmdb" 0 "$(line pdb-shared 45003 tcp)" 45003
expect_getent "$tmp/db.lmdb" 0 "$(line pdb-beta 45004 udp pb)" pb
# The other order: the other source wins.
run 0 "$PORTDB" build -q -o "$tmp/db2.lmdb" "$tmp/s2" "$tmp/s1"
expect_getent "$tmp/db2.lmdb" 0 "$(line pdb-shared 45003 tcp)" pdb-shared/tcp
# Enumeration: file order, source after source.
expect_getent "$tmp/db.lmdb" 0 "$(line pdb-alpha 45001 tcp pa)
$(line pdb-shared 45002 tcp)
$(line pdb-shared 45003 tcp)
$(line pdb-beta 45004 udp pb)"
echo "ok: several sources: the earlier one wins"

# ------------------------------------------------- drop-in directory
d=$tmp/services.d
mkdir "$d"
printf 'pdb-dropin 45010/tcp pd\n' >"$d/50-app.conf"
printf 'pdb-early 45011/tcp\npdb-alpha 45012/tcp\n' >"$d/10-early.conf"
printf 'pdb-ignored 45013/tcp\n' >"$d/README"
printf 'pdb-hidden 45014/tcp\n' >"$d/.hidden.conf"
run 0 "$PORTDB" build -o "$tmp/db.lmdb" --dropin-dir "$d" "$tmp/s1"
printf 'portdb: %s: 2 entries, 0 lines skipped\nportdb: %s: 2 entries, 0 lines skipped\nportdb: %s: 1 entry, 0 lines skipped\n' \
	"$tmp/s1" "$d/10-early.conf" "$d/50-app.conf" >"$tmp/expected"
same_text "$tmp/expected" "$tmp/out" "build's report with drop-ins"
expect_getent "$tmp/db.lmdb" 0 "$(line pdb-dropin 45010 tcp pd)" pd
expect_getent "$tmp/db.lmdb" 0 "$(line pdb-alpha 45001 tcp pa)" pdb-alpha   # the main file wins
expect_getent "$tmp/db.lmdb" 2 "" pdb-ignored
expect_getent "$tmp/db.lmdb" 2 "" pdb-hidden
expect_getent "$tmp/db.lmdb" 0 "$(line pdb-alpha 45001 tcp pa)
$(line pdb-shared 45002 tcp)
$(line pdb-early 45011 tcp)
$(line pdb-alpha 45012 tcp)
$(line pdb-dropin 45010 tcp pd)"
echo "ok: drop-ins, in name order after the main file, answer through libc"

# Adding a drop-in file makes the database stale: the module answers
# UNAVAIL (pinned to portdb alone, getent finds nothing) until a rebuild.
sleep 0.1   # file times move in clock ticks
printf 'pdb-new 45015/tcp\n' >"$d/60-new.conf"
expect_getent "$tmp/db.lmdb" 2 "" pdb-dropin
run 0 "$PORTDB" info --db "$tmp/db.lmdb"
grep -q "^  stale    $d (drop-in directory)" "$tmp/out" || fail "info after a drop-in was added: $(cat "$tmp/out")"
run 0 "$PORTDB" build -q -o "$tmp/db.lmdb" --dropin-dir "$d" "$tmp/s1"
expect_getent "$tmp/db.lmdb" 0 "$(line pdb-new 45015 tcp)" pdb-new
# Editing a drop-in file, or removing one, does too.
sleep 0.1
printf 'pdb-new 45016/tcp\n' >"$d/60-new.conf"
expect_getent "$tmp/db.lmdb" 2 "" pdb-alpha
run 0 "$PORTDB" build -q -o "$tmp/db.lmdb" --dropin-dir "$d" "$tmp/s1"
sleep 0.1
rm "$d/60-new.conf"
expect_getent "$tmp/db.lmdb" 2 "" pdb-alpha
run 0 "$PORTDB" build -q -o "$tmp/db.lmdb" --dropin-dir "$d" "$tmp/s1"
expect_getent "$tmp/db.lmdb" 2 "" pdb-new
expect_getent "$tmp/db.lmdb" 0 "$(line pdb-dropin 45010 tcp pd)" pdb-dropin
echo "ok: adding, editing or removing a drop-in makes the database stale"

# Every source counts: the second of two files.
run 0 "$PORTDB" build -q -o "$tmp/db.lmdb" "$tmp/s1" "$tmp/s2"
sleep 0.1
printf '# edited\n' >>"$tmp/s2"
expect_getent "$tmp/db.lmdb" 2 "" pdb-alpha
run 0 "$PORTDB" info --db "$tmp/db.lmdb"
grep -q "^  stale    $tmp/s2 " "$tmp/out" && grep -q "^  current  $tmp/s1 " "$tmp/out" ||
	fail "info after the second source changed: $(cat "$tmp/out")"
echo "ok: a change to any source makes the database stale"

# A missing drop-in directory is no error; --no-dropins reads none.
run 0 "$PORTDB" build -q -o "$tmp/db.lmdb" --dropin-dir "$tmp/no-such-dir" "$tmp/s1"
run 0 "$PORTDB" build -q -o "$tmp/db.lmdb" --dropin-dir "$d" --no-dropins "$tmp/s1"
expect_getent "$tmp/db.lmdb" 2 "" pdb-dropin
# A drop-in file that cannot be read fails the build.
if [ "$(id -u)" -ne 0 ]; then
	printf 'x 1/tcp\n' >"$d/70-unreadable.conf"
	chmod 000 "$d/70-unreadable.conf"
	run 1 "$PORTDB" build -q -o "$tmp/db.lmdb" --dropin-dir "$d" "$tmp/s1"
	grep -q "70-unreadable.conf" "$tmp/err" || fail "unreadable drop-in: $(cat "$tmp/err")"
	rm -f "$d/70-unreadable.conf"
fi
run 1 "$PORTDB" build -q -o "$tmp/db.lmdb" - <"$tmp/s1"
grep -q 'not standard input' "$tmp/err" || fail "build from stdin: $(cat "$tmp/err")"
echo "ok: missing drop-in directory, --no-dropins, standard input refused"

# ------------------------------------------------------------ --strict
run 0 "$PORTDB" build -q -o "$tmp/strict.lmdb" "$tmp/s1"
cp "$tmp/strict.lmdb" "$tmp/strict.before"
printf 'pdb-ok 45020/tcp\npdb-bad 45021x/tcp\n' >"$tmp/errors"
run 1 "$PORTDB" build --strict -o "$tmp/strict.lmdb" "$tmp/errors"
grep -qx "$tmp/errors:2:14: error: junk after the port number in '45021x': glibc drops the line" "$tmp/err" &&
	grep -q 'strict: 1 error in the sources' "$tmp/err" || fail "--strict with an error: $(cat "$tmp/err")"
cmp -s "$tmp/strict.lmdb" "$tmp/strict.before" || fail "--strict replaced the database"
[ "$(ls "$tmp" | grep -c 'strict\.lmdb.')" -eq 0 ] || fail "--strict left files: $(ls "$tmp")"
# Without --strict the same source builds (the line is dropped, as glibc does).
run 0 "$PORTDB" build -o "$tmp/strict.lmdb" "$tmp/errors"
grep -q ': 1 entry, 1 line skipped' "$tmp/out" || fail "build without --strict: $(cat "$tmp/out")"
# Warnings do not stop --strict.
printf 'pdb-w 45030/tcp\npdb-w 45031/tcp\n' >"$tmp/warnings"
run 0 "$PORTDB" build --strict -q -o "$tmp/strict.lmdb" "$tmp/warnings"
echo "ok: --strict refuses errors, accepts warnings"

# --------------------------------------------- other input formats
csv=$top_srcdir/data/iana-sample.csv
run 0 "$PORTDB" build -o "$tmp/csv.lmdb" --format=csv "$csv"
grep -qx "portdb: $csv (iana-csv): 164 entries, 7 rows skipped" "$tmp/out" || fail "CSV build: $(cat "$tmp/out")"
expect_getent "$tmp/csv.lmdb" 0 "$(line http 80 tcp)" http/tcp
expect_getent "$tmp/csv.lmdb" 0 "$(line ssh 22 udp)" 22/udp
expect_getent "$tmp/csv.lmdb" 0 "$(line diameter 3868 sctp)" diameter/sctp
expect_getent "$tmp/csv.lmdb" 0 "$(line sua 14001 sctp)" 14001/sctp
expect_getent "$tmp/csv.lmdb" 0 "$(line syslog-tls 6514 dccp)" 6514/dccp
expect_getent "$tmp/csv.lmdb" 0 "$(line x11 6042 udp)" 6042/udp
expect_getent "$tmp/csv.lmdb" 2 "" zeroconf-only
expect_getent "$tmp/csv.lmdb" 2 "" noproto-row
run 0 "$PORTDB" get --db "$tmp/csv.lmdb" --long 443/tcp
grep -qx '  class:   system (well-known, 0-1023)' "$tmp/out" || fail "get 443/tcp --long: $(cat "$tmp/out")"
echo "ok: a database built from IANA's CSV answers http/tcp, 22/udp and sctp through libc"

# A malformed CSV row: an error naming FILE:LINE, and nothing published.
printf 'Service Name,Port Number,Transport Protocol\nok,1,tcp\nbad,"1"2,tcp\n' >"$tmp/bad.csv"
cp "$tmp/csv.lmdb" "$tmp/csv.before"
run 1 "$PORTDB" build -o "$tmp/csv.lmdb" --format=iana-csv "$tmp/bad.csv"
grep -qx "portdb: $tmp/bad.csv:3: malformed CSV: a character follows the closing quote of a field" "$tmp/err" ||
	fail "malformed CSV: $(cat "$tmp/err")"
cmp -s "$tmp/csv.lmdb" "$tmp/csv.before" || fail "a malformed CSV replaced the database"
echo "ok: a malformed CSV row fails the build, naming FILE:LINE"

run 0 "$PORTDB" build -o "$tmp/nmap.lmdb" --format=nmap "$top_srcdir/data/nmap-sample"
grep -q '(nmap): 47 entries' "$tmp/out" || fail "nmap build: $(cat "$tmp/out")"
expect_getent "$tmp/nmap.lmdb" 0 "$(line unknown 4 tcp)" unknown
expect_getent "$tmp/nmap.lmdb" 0 "$(line http-proxy 8080 tcp)" 8080
echo "ok: nmap-services with --format=nmap: the frequency is no alias"

printf 'pdb-m 45040/tcp/udp/sctp pm # merged\npdb-r 45041-45042/udp\npdb-n 45043/tcp/udp\n' >"$tmp/merged"
run 0 "$PORTDB" build -o "$tmp/ws.lmdb" --format=wireshark "$tmp/merged"
grep -q '(wireshark): 7 entries' "$tmp/out" || fail "Wireshark build: $(cat "$tmp/out")"
expect_getent "$tmp/ws.lmdb" 0 "$(line pdb-m 45040 sctp pm)" pm/sctp
expect_getent "$tmp/ws.lmdb" 0 "$(line pdb-r 45042 udp)" 45042/udp
echo "ok: Wireshark's merged form with --format=wireshark"

# Without --format every source is services(5) text, as glibc reads it,
# whatever it looks like: nmap's frequency is an alias, tcp/udp/sctp one
# protocol, a CSV header and rows are dropped lines.
run 0 "$PORTDB" build -o "$tmp/ws.lmdb" "$tmp/merged"
grep -qx "portdb: $tmp/merged: 2 entries, 1 line skipped" "$tmp/out" || fail "merged as services: $(cat "$tmp/out")"
expect_getent "$tmp/ws.lmdb" 0 "$(line pdb-m 45040 tcp/udp/sctp pm)" pdb-m
expect_getent "$tmp/ws.lmdb" 2 "" pm/sctp
run 0 "$PORTDB" build -o "$tmp/nmap.lmdb" "$top_srcdir/data/nmap-sample"
grep -qx "portdb: $top_srcdir/data/nmap-sample: 47 entries, 0 lines skipped" "$tmp/out" ||
	fail "nmap as services: $(cat "$tmp/out")"
expect_getent "$tmp/nmap.lmdb" 0 "$(line http 80 tcp 0.484143)" 0.484143
printf 'Service Name,Port Number,Transport Protocol\npdb-c 45050/tcp\n' >"$tmp/csvhead"
run 0 "$PORTDB" build -o "$tmp/csvhead.lmdb" "$tmp/csvhead"
expect_getent "$tmp/csvhead.lmdb" 0 "$(line pdb-c 45050 tcp)" pdb-c
# The same for the drop-ins (always services(5) text).
mkdir "$tmp/looks"
cp "$top_srcdir/data/nmap-sample" "$tmp/looks/10-nmap.conf"
cp "$tmp/merged" "$tmp/looks/20-merged.conf"
: >"$tmp/empty"
run 0 "$PORTDB" build -o "$tmp/looks.lmdb" --format=nmap --dropin-dir "$tmp/looks" "$tmp/empty"
expect_getent "$tmp/looks.lmdb" 0 "$(line http 80 tcp 0.484143)" 0.484143
expect_getent "$tmp/looks.lmdb" 0 "$(line pdb-m 45040 tcp/udp/sctp pm)" pm
# --format names the format of the SOURCEs named; with none it is refused.
cp "$tmp/looks.lmdb" "$tmp/looks.before"
run 1 "$PORTDB" build -o "$tmp/looks.lmdb" --format=nmap --dropin-dir "$tmp/looks"
grep -qx "portdb: --format is for the SOURCEs named; /etc/services and the drop-in directory are services(5) text, as glibc reads them" "$tmp/err" ||
	fail "--format without a SOURCE: $(cat "$tmp/err")"
cmp -s "$tmp/looks.lmdb" "$tmp/looks.before" || fail "--format without a SOURCE replaced the database"
echo "ok: without --format, sources and drop-ins are services(5) text whatever they look like"

iana=/usr/share/wireshark/services
if [ -f "$iana" ]; then
	run 0 "$PORTDB" build -o "$tmp/iana.lmdb" --format=wireshark "$iana"
	expect_getent "$tmp/iana.lmdb" 0 "$(line http 80 sctp)" http/sctp
	expect_getent "$tmp/iana.lmdb" 0 "$(line ssh 22 udp)" 22/udp
	expect_getent "$tmp/iana.lmdb" 0 "$(line x11 6001 tcp)" 6001/tcp
	echo "ok: the IANA registry in Wireshark's form answers through libc"
fi

run 1 "$PORTDB" build -o "$tmp/x.lmdb" --format=xml "$tmp/s1"
run 1 "$PORTDB" build -o "$tmp/x.lmdb" --no-such-option
echo "ok: bad usage: exit 1"
