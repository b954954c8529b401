#!/bin/bash
# portdb check: each kind of problem reported at its line and column, the
# exit statuses (0 clean, 1 warnings only, 2 errors), unreadable input,
# CSV, nmap and Wireshark input named with --format, and the note on a
# services file that only looks like one of them; Debian 12's own
# /etc/services (exactly one finding, dicom) and the IANA registry (its
# port ranges).
# shellcheck source=tests/lib.sh disable=SC2154  # lib.sh sets $tmp
. "${top_srcdir:-.}/tests/lib.sh"
# shellcheck source=tests/tool-lib.sh
. "${top_srcdir:-.}/tests/tool-lib.sh"

write_protocols "$tmp/protocols"
check() { "$PORTDB" check --protocols "$tmp/protocols" "$@"; }

# ------------------------------------------ every kind of problem, once
{
	printf '# check fixture: one kind of problem per line\n'
	printf 'http\t80/tcp\t\twww\n'
	printf 'noport\n'                     # no port
	printf 'junk 80x/tcp\n'               # junk after the port
	printf 'spacey 1011 /tcp\n'           # a space before the slash
	printf 'negative -1/tcp\n'            # negative (above 4294967295 for strtoul)
	printf 'toolarge 4294967296/tcp\n'    # too large
	printf 'beta#x 1002/tcp\n'            # '#' inside the name
	printf 'x11 6000-6063/tcp\n'          # a port range
	printf 'octal9 09/tcp\n'              # octal with a 9
	printf 'web 8080/tcp webcache\n'
	printf 'webcache 8081/tcp\n'          # shadowed: same name, another port
	printf 'dup 7000/tcp\n'
	printf 'dup 7000/tcp\n'               # shadowed: a duplicate
	printf 'other 7001/tcp web\n'         # one alias shadowed
	printf 'first 7100/tcp\n'
	printf 'second 7100/tcp\n'            # port conflict
	printf 'wrap 65617/tcp\n'             # wraps to 81
	printf 'hex 0x1F92/tcp\n'             # hexadecimal
	printf 'oct 010/tcp\n'                # octal: port 8
	printf 'weird 7200/tpc\n'             # unknown protocol
	printf 'noproto 7300\n'               # empty protocol
	printf 'ctl\001x 7400/tcp\n'          # control byte
	printf 'bad\377 7401/tcp\n'           # not UTF-8
	printf 'glued 7500/tcp g1#x g2\n'     # '#' inside an alias
	printf 'nul 7600/tcp a\000 b\n'       # NUL byte
	printf 'merged 7700/tcp/udp\n'        # Wireshark's form read as services
	printf 'signed +7800/tcp\n'           # signed
	printf 'spaceproto 7900 alias\n'      # no slash after the port
	printf 'www 8000/tcp\n'               # alias of an earlier entry
	printf '\n  # the end\n'
} >"$tmp/problems"

f=$tmp/problems
cat >"$tmp/expected" <<EOF
$f:3:7: error: no port after the name: glibc drops the line
$f:4:8: error: junk after the port number in '80x': glibc drops the line
$f:5:12: error: space before '/': glibc drops the line
$f:6:10: error: negative port '-1': strtoul makes it larger than 4294967295, and glibc drops the line
$f:7:10: error: port '4294967296' is larger than 4294967295: glibc drops the line
$f:8:5: error: '#' in the name 'beta#x' starts a comment: glibc finds no port and drops the line
$f:9:5: error: port range '6000-6063': services(5) has no ranges, glibc drops the line
$f:10:9: error: '09' starts with 0, so glibc reads it as octal, where 9 is no digit: the line is dropped
$f:12:1: warning: 'webcache' is already tcp port 8080 at $f:11 (an alias of 'web'): a lookup by name never finds this line's port 8081
$f:14:1: warning: 'dup' is already tcp port 7000 at $f:13 (its name): this line is a duplicate, never found by name
$f:15:16: warning: 'web' is already tcp port 8080 at $f:11 (its name): a lookup of 'web' never finds this line
$f:17:8: warning: port 7100/tcp already belongs to 'first' at $f:16: a lookup by port never finds 'second'
$f:18:6: warning: port '65617' is outside 0-65535: glibc reads port 81 (65617 modulo 65536)
$f:19:5: warning: port '0x1F92' is hexadecimal: glibc reads port 8082
$f:20:5: warning: port '010' is octal (leading zero): glibc reads port 8
$f:21:12: warning: protocol 'tpc' is not in $tmp/protocols
$f:22:13: warning: no protocol: only a lookup with protocol "" or none finds 'noproto'
$f:23:4: warning: control byte 0x01 in the name 'ctl\\x01x'
$f:24:4: warning: byte 0xff is not UTF-8, in the name 'bad\\xff'
$f:25:18: warning: '#' inside 'g1#x' starts a comment: glibc ignores '#x g2'
$f:26:15: warning: NUL byte: glibc ignores the rest of the line ('b')
$f:27:13: warning: protocol 'tcp/udp' is not in $tmp/protocols (glibc reads 'a/b' as one protocol; Wireshark's merged form needs --format=wireshark)
$f:28:8: warning: port '+7800' is signed: glibc reads port 7800
$f:29:16: error: a space follows the port instead of '/PROTOCOL': glibc drops the line
$f:30:1: warning: 'www' is already tcp port 80 at $f:2 (an alias of 'http'): a lookup by name never finds this line's port 8000
EOF
summary="portdb: 9 errors, 16 warnings in 20 entries from 1 file"
if [ "$(parse_rule)" = clamp ]; then
	# Upstream glibc clamps ports above 4294967295 to 65535 instead of
	# dropping the line; the two lines are then read, with a warning.
	sed -i -e "s|^$f:6:10: .*|$f:6:10: warning: port '-1' is signed and outside 0-65535: glibc reads port 65535 (clamped: above 4294967295)|" \
		-e "s|^$f:7:10: .*|$f:7:10: warning: port '4294967296' is outside 0-65535: glibc reads port 65535 (clamped: above 4294967295)|" "$tmp/expected"
	sed -i "5a $f:7:10: warning: port 65535/tcp already belongs to 'negative' at $f:6: a lookup by port never finds 'toolarge'" "$tmp/expected"
	summary="portdb: 7 errors, 19 warnings in 22 entries from 1 file"
fi
run 2 check "$f"
same_text "$tmp/expected" "$tmp/out" "check of every kind of problem"
[ "$(cat "$tmp/err")" = "$summary" ] || fail "summary: '$(cat "$tmp/err")', expected '$summary'"
echo "ok: every kind of problem at its line and column, exit 2"

# The same through standard input: the file is called <stdin>.
run 2 check - <"$f"
sed "s|$f|<stdin>|g" "$tmp/expected" >"$tmp/expected-stdin"
same_text "$tmp/expected-stdin" "$tmp/out" "check of standard input"
echo "ok: standard input"

# --------------------------------------------------- exit statuses
printf 'a 1/tcp x\nb 2/udp\n\n# comment\n' >"$tmp/clean"
run 0 check "$tmp/clean"
[ ! -s "$tmp/out" ] || fail "clean file: findings: $(cat "$tmp/out")"
grep -qx 'portdb: 0 errors, 0 warnings in 2 entries from 1 file' "$tmp/err" || fail "clean summary: $(cat "$tmp/err")"
run 0 check -q "$tmp/clean"
[ ! -s "$tmp/err" ] || fail "--quiet printed: $(cat "$tmp/err")"
echo "ok: a clean file: exit 0, no finding"

printf 'a 1/tcp\na 2/tcp\n' >"$tmp/warn"
run 1 check "$tmp/warn"
[ "$(wc -l <"$tmp/out")" -eq 1 ] && grep -q "^$tmp/warn:2:1: warning: " "$tmp/out" || fail "warnings only: $(cat "$tmp/out")"
echo "ok: warnings only: exit 1"

# Plurals, and the findings before the summary when both streams share
# one file or pipe (stdout is buffered there, stderr is not).
grep -qx "portdb: 0 errors, 1 warning in 2 entries from 1 file" "$tmp/err" || fail "one warning: $(cat "$tmp/err")"
printf 'a 1/tcp\n' >"$tmp/one"
run 0 check "$tmp/one"
grep -qx "portdb: 0 errors, 0 warnings in 1 entry from 1 file" "$tmp/err" || fail "one entry: $(cat "$tmp/err")"
printf 'a 1/tcp\nnoport\n' >"$tmp/one-error"
run 2 check "$tmp/one-error" "$tmp/one"
grep -qx "portdb: 1 error, 1 warning in 2 entries from 2 files" "$tmp/err" || fail "one error: $(cat "$tmp/err")"
rc=0
check "$tmp/problems" 2>&1 | cat >"$tmp/both" || rc=$?
[ "$(wc -l <"$tmp/both")" -gt 2 ] && [ "$(tail -n 1 "$tmp/both")" = "$summary" ] ||
	fail "the summary is not last in one pipe: $(head -n 3 "$tmp/both")"
printf 'x 5-5/tcp\n' >"$tmp/range1"
run 1 check --format=wireshark "$tmp/range1"
grep -q ":1:3: warning: port range 5-5 gives 1 entry, one per port" "$tmp/out" || fail "range of one port: $(cat "$tmp/out")"
echo "ok: plurals; the findings, then the summary, in one pipe"

# Several files are one source set, in priority order: a later file's
# entry is shadowed by an earlier file's, naming its file and line.
printf 'b 3/tcp\na 9/tcp\n' >"$tmp/second"
run 1 check "$tmp/clean" "$tmp/second"
grep -qx "$tmp/second:2:1: warning: 'a' is already tcp port 1 at $tmp/clean:1 (its name): a lookup by name never finds this line's port 9" "$tmp/out" ||
	fail "shadowing across files: $(cat "$tmp/out")"
echo "ok: shadowing across files"

run 2 check "$tmp/no-such-file" "$tmp/clean"
grep -qx "$tmp/no-such-file: error: No such file or directory" "$tmp/out" || fail "missing file: $(cat "$tmp/out")"
echo "ok: an unreadable file is an error, exit 2"
run 2 check --no-such-option
run 2 check --format=xml "$tmp/clean"
grep -q "unknown format 'xml'" "$tmp/err" || fail "bad format: $(cat "$tmp/err")"
run 2 check --format=nmap
grep -q "^portdb: --format is for the SOURCEs named" "$tmp/err" || fail "--format without FILE: $(cat "$tmp/err")"
echo "ok: bad usage: exit 2"

# ------------------------------------------------------ other formats
csv=$top_srcdir/data/iana-sample.csv
run 1 check --format=csv "$csv"
cat >"$tmp/expected" <<EOF
$csv:26:5: warning: port 80/tcp already belongs to 'http' at $csv:24: a lookup by port never finds 'www'
$csv:43:5: warning: port range 6000-6063 gives 64 entries, one per port (services(5) has no ranges: glibc drops such a line)
$csv:44:5: warning: port range 6000-6063 gives 64 entries, one per port (services(5) has no ranges: glibc drops such a line)
EOF
same_text "$tmp/expected" "$tmp/out" "check of the IANA CSV sample"
grep -q '7 CSV rows without a name, port or protocol skipped' "$tmp/err" || fail "CSV summary: $(cat "$tmp/err")"
echo "ok: IANA CSV: the port conflict and the ranges, rows without name/port/protocol counted"

printf 'Service Name,Port Number,Transport Protocol,Description\r\nok,1,tcp,fine\r\nbad,8o,tcp,"x"\r\nworse,2,tcp,"never closed\r\n' >"$tmp/bad.csv"
run 2 check --format=csv "$tmp/bad.csv"
cat >"$tmp/expected" <<EOF
$tmp/bad.csv:3:5: error: malformed CSV: port '8o' is neither a number nor a range LOW-HIGH within 0-65535
$tmp/bad.csv:4:13: error: malformed CSV: a quoted field is not closed (the rest of the file is not read)
EOF
same_text "$tmp/expected" "$tmp/out" "check of a malformed CSV"
echo "ok: malformed CSV rows are errors at their line"

run 1 check --format=nmap "$top_srcdir/data/nmap-sample"
grep -q "nmap-sample:10:1: warning: 'unknown' is already tcp port 4 at .*nmap-sample:8 (its name)" "$tmp/out" ||
	fail "nmap: $(head -3 "$tmp/out")"
if grep -q '0\.00' "$tmp/out"; then fail "nmap: a frequency was read as an alias: $(grep '0\.00' "$tmp/out")"; fi
echo "ok: nmap-services"

# ------------------------------------------------------ look-alikes
# Services files that look like another format are read as glibc reads
# them; check says what they look like in a note, which changes nothing
# in the exit status or the counts.
printf '# a services file from nmap\ntcpmux\t1/tcp\t0.001822\t# mux\necho\t7/tcp\t0.004855\n' >"$tmp/nmap-like"
run 0 check "$tmp/nmap-like"
echo "$tmp/nmap-like:2:14: note: this looks like nmap-services; glibc reads the frequency as an alias; use --format=nmap to convert it" >"$tmp/expected"
same_text "$tmp/expected" "$tmp/out" "check of an nmap look-alike"
grep -qx 'portdb: 0 errors, 0 warnings in 2 entries from 1 file' "$tmp/err" || fail "nmap look-alike summary: $(cat "$tmp/err")"
run 0 check --format=nmap "$tmp/nmap-like"
[ ! -s "$tmp/out" ] || fail "nmap look-alike read as nmap: $(cat "$tmp/out")"

printf 'ssh 22/tcp\nmyapp 5000/tcp/udp myapp-alias\nother 5001/udp/tcp\n' >"$tmp/merged-like"
run 0 check --protocols '' "$tmp/merged-like"
echo "$tmp/merged-like:2:12: note: this looks like Wireshark's merged form; glibc reads a protocol such as tcp/udp as one protocol, not one entry per part; use --format=wireshark to convert it" >"$tmp/expected"
same_text "$tmp/expected" "$tmp/out" "check of a Wireshark look-alike"
run 0 check --protocols '' --format=wireshark "$tmp/merged-like"
[ ! -s "$tmp/out" ] || fail "Wireshark look-alike read as wireshark: $(cat "$tmp/out")"

printf 'Service Name,Port Number,Transport Protocol\nssh 22/tcp\n' >"$tmp/csv-like"
run 2 check "$tmp/csv-like"
cat >"$tmp/expected" <<EOF
$tmp/csv-like:1:1: note: this looks like IANA's CSV; glibc drops this header and reads the rest as services(5) text; use --format=iana-csv to convert it
$tmp/csv-like:1:9: error: 'Name,Port' is not a port number: glibc drops the line
EOF
same_text "$tmp/expected" "$tmp/out" "check of a CSV look-alike"
grep -qx 'portdb: 1 error, 0 warnings in 1 entry from 1 file' "$tmp/err" || fail "CSV look-alike summary: $(cat "$tmp/err")"
# What portdb dump prints never looks like anything else.
printf '# portdb dump of x\na\t1/tcp/udp\nb\t2/tcp/udp\n' >"$tmp/dump-like"
run 0 check --protocols '' "$tmp/dump-like"
[ ! -s "$tmp/out" ] || fail "a dump: $(cat "$tmp/out")"
echo "ok: look-alikes of nmap-services, Wireshark and CSV: a note, the exit status unchanged"

# ------------------------------------------------- Debian 12's file
# Debian 12's netbase 6.4 /etc/services, unmodified: its one real problem
# is that 'dicom' (an alias of acr-nema 104/tcp) shadows dicom 11112/tcp.
debian12=f6183055fd949f9c53d49ee620f85d0150123ea691d25ed1bba0c641b4ee2f48
if [ -f /etc/services ] && [ "$(sha256sum </etc/services | cut -d' ' -f1)" = $debian12 ]; then
	run 1 "$PORTDB" check /etc/services
	echo "/etc/services:273:1: warning: 'dicom' is already tcp port 104 at /etc/services:43 (an alias of 'acr-nema'): a lookup by name never finds this line's port 11112" >"$tmp/expected"
	same_text "$tmp/expected" "$tmp/out" "check of Debian 12's /etc/services"
	echo "ok: Debian 12's /etc/services: exactly the dicom finding"
else
	echo "SKIP (part): /etc/services is not Debian 12's unmodified file"
fi

# ------------------------------------------------- the IANA registry
iana=/usr/share/wireshark/services
if [ -f "$iana" ]; then
	run 1 "$PORTDB" check --format=wireshark "$iana"
	grep -q "^$iana:[0-9]*:6: warning: port range 6000-6063 gives 64 entries" "$tmp/out" ||
		fail "IANA registry: the x11 range is not flagged: $(grep -c . "$tmp/out") findings"
	line=$(sed -n "s|^$iana:\([0-9]*\):6: warning: port range 6000-6063.*|\1|p" "$tmp/out")
	sed -n "${line}p" "$iana" | grep -q '^x11[[:space:]]*6000-6063/' || fail "IANA: line $line is not x11"
	ranges=$(grep -c 'warning: port range' "$tmp/out")
	want=$(grep -c '^[^#[:space:]][^[:space:]]*[[:space:]]*[0-9][0-9]*-[0-9][0-9]*/' "$iana")
	[ "$ranges" -eq "$want" ] || fail "IANA registry: $ranges ranges flagged, $want in the file"
	# Read as services text (glibc's rules, the default), each range line
	# is dropped: an error.
	run 2 "$PORTDB" check "$iana"
	grep -q "^$iana:$line:6: error: port range '6000-6063': services(5) has no ranges" "$tmp/out" ||
		fail "IANA as services: $(grep range "$tmp/out")"
	echo "ok: the IANA registry: its $ranges port-range lines are flagged"
else
	echo "SKIP (part): $iana not found (Debian package libwireshark-data)"
fi
