#!/bin/bash
# portdb convert: IANA's CSV, Wireshark's merged form and nmap-services,
# detected or named, as services(5) text, exactly what build --format
# indexes (a database built from the converted text answers as one built
# straight from the source); drop-ins are services(5) text as for build;
# a malformed CSV row is an error naming FILE:LINE (exit 1).
# shellcheck source=tests/lib.sh disable=SC2154  # lib.sh sets $tmp
. "${top_srcdir:-.}/tests/lib.sh"
# shellcheck source=tests/tool-lib.sh
. "${top_srcdir:-.}/tests/tool-lib.sh"

# CSV: quotes, doubled quotes, line breaks in fields, skipped rows, a range.
printf '%s\r\n' 'Service Name,Port Number,Transport Protocol,Description' \
	',0,tcp,Reserved' \
	'http,80,tcp,"World Wide Web, ""HTTP"""' \
	'ssh,22,udp,"two' 'lines"' \
	'x11,6000-6002,sctp,X' \
	'nameonly,,tcp,' >"$tmp/in.csv"
run 0 "$PORTDB" convert "$tmp/in.csv"
cat >"$tmp/expected" <<EOF
# portdb convert: $tmp/in.csv (iana-csv)
http	80/tcp
ssh	22/udp
x11	6000/sctp
x11	6001/sctp
x11	6002/sctp
EOF
same_text "$tmp/expected" "$tmp/out" "convert of a CSV"
echo "ok: IANA CSV"

printf 'http\t80/tcp/udp\twww\t# web\nx11 6000-6001/tcp\n' >"$tmp/ws"
run 0 "$PORTDB" convert --format=wireshark "$tmp/ws"
printf '# portdb convert: %s (wireshark)\nhttp\t80/tcp\twww\nhttp\t80/udp\twww\nx11\t6000/tcp\nx11\t6001/tcp\n' \
	"$tmp/ws" >"$tmp/expected"
same_text "$tmp/expected" "$tmp/out" "convert of Wireshark's form"
run 0 "$PORTDB" convert --format=services "$tmp/ws"
printf '# portdb convert: %s (services)\nhttp\t80/tcp/udp\twww\n' "$tmp/ws" >"$tmp/expected"
same_text "$tmp/expected" "$tmp/out" "convert of Wireshark's form as services text"
echo "ok: Wireshark's merged form; --format"

run 0 "$PORTDB" convert - <"$top_srcdir/data/nmap-sample"
head -4 "$tmp/out" >"$tmp/got"
printf '# portdb convert: <stdin> (nmap)\ntcpmux\t1/tcp\ncompressnet\t2/tcp\ncompressnet\t3/tcp\n' >"$tmp/expected"
same_text "$tmp/expected" "$tmp/got" "convert of nmap-services"
[ "$(grep -vc '^#' "$tmp/out")" -eq 47 ] || fail "nmap: $(grep -vc '^#' "$tmp/out") entries, expected 47"
echo "ok: nmap-services from standard input"

# What convert prints, detecting the format, is what build indexes when
# told that format.
for pair in iana-csv:"$top_srcdir/data/iana-sample.csv" nmap:"$top_srcdir/data/nmap-sample" \
	wireshark:/usr/share/wireshark/services; do
	format=${pair%%:*} src=${pair#*:}
	[ -f "$src" ] || continue
	"$PORTDB" convert "$src" >"$tmp/converted" || fail "convert $src"
	head -1 "$tmp/converted" | grep -qx "# portdb convert: $src ($format)" ||
		fail "convert $src: $(head -1 "$tmp/converted")"
	"$PORTDB" build -q --format="$format" -o "$tmp/straight.lmdb" "$src"
	"$PORTDB" build -q -o "$tmp/converted.lmdb" "$tmp/converted"
	same_answers "$tmp/straight.lmdb" "$tmp/converted.lmdb" "convert $(basename "$src")"
done

# A drop-in is services(5) text, whatever it looks like: glibc-style
# files are what the drop-in directory extends.
mkdir "$tmp/dropins"
cp "$top_srcdir/data/nmap-sample" "$tmp/dropins/50-nmap.conf"
: >"$tmp/empty"
run 0 "$PORTDB" convert --dropin-dir "$tmp/dropins" "$tmp/empty"
grep -qx "# portdb convert: $tmp/dropins/50-nmap.conf (services)" "$tmp/out" ||
	fail "drop-in format: $(grep '^#' "$tmp/out")"
grep -qx 'http	80/tcp	0.484143' "$tmp/out" || fail "drop-in: the frequency is no alias: $(grep http "$tmp/out")"
echo "ok: drop-ins are services(5) text"

# Errors: a malformed row names FILE:LINE; nothing is printed on stdout.
printf 'Service Name,Port Number,Transport Protocol\nok,1,tcp\nbad,x1,tcp\n' >"$tmp/bad.csv"
run 1 "$PORTDB" convert "$tmp/bad.csv"
grep -qx "portdb: $tmp/bad.csv:3: malformed CSV: port 'x1' is neither a number nor a range LOW-HIGH within 0-65535" "$tmp/err" ||
	fail "malformed CSV: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || fail "output despite the error: $(cat "$tmp/out")"
printf 'Name,Port\nhttp,80\n' >"$tmp/noheader.csv"
run 1 "$PORTDB" convert --format=iana-csv "$tmp/noheader.csv"
grep -q "noheader.csv:1: malformed CSV: not IANA's CSV" "$tmp/err" || fail "no header: $(cat "$tmp/err")"
run 1 "$PORTDB" convert "$tmp/no-such-file"
grep -q "$tmp/no-such-file: No such file or directory" "$tmp/err" || fail "missing: $(cat "$tmp/err")"
run 1 "$PORTDB" convert --format=xml "$tmp/ws"
run 1 "$PORTDB" convert --no-such-option
echo "ok: errors exit 1 and name FILE:LINE"
