#!/bin/bash
# portdb get: every KEY form (NAME, NAME/PROTO, PORT, PORT/PROTO,
# LOW-HIGH[/PROTO]), getent's output, --long and --json, and the exit
# statuses: 0 all found, 2 a key not found, 1 an error.
# shellcheck source=tests/lib.sh disable=SC2154  # lib.sh sets $tmp
. "${top_srcdir:-.}/tests/lib.sh"
# shellcheck source=tests/tool-lib.sh
. "${top_srcdir:-.}/tests/tool-lib.sh"

{
	printf 'ssh\t22/tcp\n'
	printf 'ssh\t22/udp\n'
	printf 'http\t80/tcp\t\twww www-http\n'
	printf 'https\t443/tcp\n'
	printf 'x11-0\t6000/tcp\n'
	printf 'later\t80/tcp\n'              # shadowed by port: still in ranges
	printf 'reg\t1024/udp\n'
	printf 'dyn\t49152/sctp dyn-a\n'
	printf 'bytes\xff\t50000/tcp q"\\\001\n'
} >"$tmp/src"
db=$tmp/db.lmdb
"$PORTDB" build -q -o "$db" "$tmp/src"
get() { "$PORTDB" get --db "$db" "$@"; }

# expect STATUS EXPECTED ARGS...
expect() {
	local want_rc=$1 want=$2
	shift 2
	run "$want_rc" get "$@"
	printf '%s' "$want" >"$tmp/expected"
	[ -z "$want" ] || printf '\n' >>"$tmp/expected"
	same_text "$tmp/expected" "$tmp/out" "get $*"
}

expect 0 "$(line ssh 22 tcp)" ssh
expect 0 "$(line ssh 22 udp)" ssh/udp
expect 0 "$(line http 80 tcp www www-http)" www-http
expect 0 "$(line http 80 tcp www www-http)" 80
expect 0 "$(line ssh 22 udp)" 22/udp
expect 0 "$(line x11-0 6000 tcp)" x11-0            # a '-' in a name is no range
expect 0 "$(line ssh 22 tcp)
$(line ssh 22 udp)
$(line http 80 tcp www www-http)
$(line later 80 tcp)" 1-100
expect 0 "$(line ssh 22 tcp)
$(line http 80 tcp www www-http)
$(line later 80 tcp)
$(line https 443 tcp)" 0-1023/tcp
expect 0 "$(line dyn 49152 sctp dyn-a)" 49152-49999
expect 0 "$(line ssh 22 tcp)
$(line https 443 tcp)" ssh 443
echo "ok: NAME, NAME/PROTO, PORT, PORT/PROTO and ranges, as getent prints them"

expect 2 "" nosuch
expect 2 "" ssh/sctp
expect 2 "" 23
expect 2 "" 100-200
expect 2 "" 1-100/ddp
expect 2 "$(line ssh 22 tcp)" nosuch ssh         # found keys are still printed
expect 2 "$(line ssh 22 tcp)" ssh nosuch/tcp
# A KEY no entry can match is malformed: exit 1 with a message, the
# other KEYs still answered.  Port 0 is a port (65536/tcp is port 0).
run 1 get 99999
grep -q '99999: port out of range 0-65535' "$tmp/err" || fail "99999: $(cat "$tmp/err")"
expect 1 "$(line ssh 22 tcp)" 70000/tcp ssh
run 1 get 99999999999999999999999
run 1 get ''
grep -q "'': no NAME or PORT" "$tmp/err" || fail "empty KEY: $(cat "$tmp/err")"
run 1 get /tcp
expect 1 "" nosuch 99999                          # an error outranks a missing key
expect 2 "" 0
run 1 get 9-1
grep -q 'not a range' "$tmp/err" || fail "9-1: $(cat "$tmp/err")"
run 1 get 0-65536
run 1 "$PORTDB" get --db "$tmp/no-such.lmdb" ssh
grep -q "$tmp/no-such.lmdb: no database; run 'portdb build -o $tmp/no-such.lmdb' to build it" "$tmp/err" ||
	fail "missing database: $(cat "$tmp/err")"
run 1 get
grep -q 'missing KEY' "$tmp/err" || fail "no KEY: $(cat "$tmp/err")"
run 1 get --bogus ssh
grep -q "unrecognized option '--bogus'" "$tmp/err" || fail "--bogus: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || fail "--bogus: looked up: $(cat "$tmp/out")"
run 1 get ssh --bogus
echo "ok: exit 2 for a missing key, 1 for errors"

# A database the module would not answer from is read all the same, with
# a warning; a current, trusted one gets none.
run 0 get ssh
[ ! -s "$tmp/err" ] || fail "a current database: $(cat "$tmp/err")"
cp "$db" "$tmp/open.lmdb"
chmod 666 "$tmp/open.lmdb"
run 0 "$PORTDB" get --db "$tmp/open.lmdb" ssh
[ "$(cat "$tmp/out")" = "$(line ssh 22 tcp)" ] || fail "untrusted database: $(cat "$tmp/out")"
grep -qx "portdb: get: warning: $tmp/open.lmdb is writable by others (mode 0666): the module does not trust it, so programs are not answered from it" "$tmp/err" ||
	fail "untrusted database: $(cat "$tmp/err")"
ln -s db.lmdb "$tmp/link.lmdb"
run 0 "$PORTDB" get --db "$tmp/link.lmdb" ssh
[ "$(cat "$tmp/out")" = "$(line ssh 22 tcp)" ] || fail "linked database: $(cat "$tmp/out")"
grep -q "warning: $tmp/link.lmdb is a symbolic link: the module does not trust it" "$tmp/err" ||
	fail "linked database: $(cat "$tmp/err")"
cp "$tmp/src" "$tmp/src2"
"$PORTDB" build -q -o "$tmp/stale.lmdb" "$tmp/src2"
printf 'added\t9/tcp\n' >>"$tmp/src2"
run 0 "$PORTDB" get --db "$tmp/stale.lmdb" ssh
[ "$(cat "$tmp/out")" = "$(line ssh 22 tcp)" ] || fail "stale database: $(cat "$tmp/out")"
grep -qx "portdb: get: warning: $tmp/stale.lmdb is stale: source $tmp/src2 changed after the database was built; programs are not answered from it until 'portdb build' runs again" "$tmp/err" ||
	fail "stale database: $(cat "$tmp/err")"
run 2 "$PORTDB" get --db "$tmp/stale.lmdb" added  # the database's answer, not the file's
grep -q 'is stale' "$tmp/err" || fail "stale database, a miss: $(cat "$tmp/err")"
echo "ok: stale, untrusted and linked databases answer, with a warning"

# GNU habits: options may follow the KEYs, '--' ends the options, and
# with POSIXLY_CORRECT the first KEY does.
run 0 "$PORTDB" get http --db "$db"
same_text <(printf '%s\n' "$(line http 80 tcp www www-http)") "$tmp/out" "get http --db DB"
run 0 get http --json
[ "$(grep -c '"key"' "$tmp/out")" -eq 1 ] && grep -q '"key": "http"' "$tmp/out" &&
	grep -q '"name": "http"' "$tmp/out" || fail "get http --json: $(cat "$tmp/out")"
run 0 get -- ssh
same_text <(printf '%s\n' "$(line ssh 22 tcp)") "$tmp/out" "get -- ssh"
run 2 get ssh -- --json                     # after '--', a KEY
[ "$(cat "$tmp/out")" = "$(line ssh 22 tcp)" ] || fail "get ssh -- --json: $(cat "$tmp/out")"
POSIXLY_CORRECT=1 run 2 get http --json     # the first KEY ends the options
[ "$(cat "$tmp/out")" = "$(line http 80 tcp www www-http)" ] ||
	fail "POSIXLY_CORRECT get http --json: $(cat "$tmp/out")"
echo "ok: options after KEYs, '--', POSIXLY_CORRECT"

# --long: aliases, source file and line, IANA class.
run 0 get --long 443/tcp reg dyn-a www
cat >"$tmp/expected" <<EOF
$(line https 443 tcp)
  aliases: -
  class:   system (well-known, 0-1023)
  source:  $tmp/src:4

$(line reg 1024 udp)
  aliases: -
  class:   user (registered, 1024-49151)
  source:  $tmp/src:7

$(line dyn 49152 sctp dyn-a)
  aliases: dyn-a
  class:   dynamic (private, 49152-65535)
  source:  $tmp/src:8

$(line http 80 tcp www www-http)
  aliases: www www-http
  class:   system (well-known, 0-1023)
  source:  $tmp/src:3
EOF
same_text "$tmp/expected" "$tmp/out" "get --long"
echo "ok: --long"

# --json: valid JSON, the same facts; bytes that are not UTF-8 as \u00XX.
run 2 get --json 443/tcp 6000-6000 nosuch 50000
command -v python3 >/dev/null || skip "python3 is needed to read the JSON"
python3 - "$tmp/out" "$tmp/src" <<'EOF' || fail "get --json: $(cat "$tmp/out")"
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
src = sys.argv[2]
assert [k["key"] for k in doc] == ["443/tcp", "6000-6000", "nosuch", "50000"], doc
https = doc[0]["entries"]
assert https == [{"name": "https", "port": 443, "protocol": "tcp", "aliases": [],
                  "class": "system", "source": src, "line": 4}], https
assert doc[1]["entries"][0]["name"] == "x11-0" and doc[1]["entries"][0]["class"] == "user"
assert doc[2]["entries"] == []
odd = doc[3]["entries"][0]
assert odd["name"] == "bytes\u00ff", odd["name"]
assert odd["aliases"] == ['q"\\\u0001'], odd["aliases"]
assert odd["class"] == "dynamic"
EOF
grep -q '"bytes\\u00ff"' "$tmp/out" || fail "the byte 0xff is not written as \\u00ff: $(cat "$tmp/out")"
echo "ok: --json"
