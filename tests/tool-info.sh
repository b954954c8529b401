#!/bin/bash
# portdb info: path, format version, size, entries, build time, sources
# with their state, the parse rule, trust (and why not), as text and as
# JSON; exit 0 whatever the state, 1 when the file cannot be read.
# shellcheck source=tests/lib.sh disable=SC2154  # lib.sh sets $tmp
. "${top_srcdir:-.}/tests/lib.sh"
# shellcheck source=tests/tool-lib.sh
. "${top_srcdir:-.}/tests/tool-lib.sh"

printf 'a 1/tcp\nb 2/udp\nbad 3x/tcp\n' >"$tmp/src"
mkdir "$tmp/d"
printf 'c 4/tcp\n' >"$tmp/d/c.conf"
db=$tmp/db.lmdb
before=$(date +%s)
"$PORTDB" build -q -o "$db" --dropin-dir "$tmp/d" "$tmp/src"
after=$(date +%s)
size=$(stat -c %s "$db")
rule=$(parse_rule)
case $rule in
drop) rule_text="a port above 4294967295 drops the line (Debian's glibc)" ;;
clamp) rule_text="a port above 4294967295 is clamped to 65535 (upstream glibc)" ;;
*) fail "parse rule: '$rule'" ;;
esac
uid=$(id -u)
if [ "$uid" -eq 0 ]; then trusted="yes (owner root, mode 0644)"; else
	trusted="yes, by programs running as uid $uid only (owner uid $uid, mode 0644)"
fi

run 0 "$PORTDB" info --db "$db"
built=$(sed -n 's/^built:       //p' "$tmp/out")
digest=$(sed -n 's/^digest:      //p' "$tmp/out")
[[ $digest =~ ^[0-9a-f]{16}$ ]] || fail "digest line: '$digest'"
# The module's reader and liblmdb read the file alike: the index, the
# seal, the header and three sources are six keys.
lmdb=$(sed -n 's/^lmdb:        //p' "$tmp/out")
case $lmdb in
"page size "*"-bit page numbers, "*"-endian, 6 keys, depth 1 (liblmdb agrees)") ;;
*) fail "lmdb line: '$lmdb'" ;;
esac
cat >"$tmp/expected" <<EOF
database:    $db
format:      version 2
size:        $size bytes
lmdb:        $lmdb
entries:     3 (1 line skipped)
built:       $built
digest:      $digest
parse rule:  $rule_text
sources:     3
  current  $tmp/src (2 entries)
  current  $tmp/d (drop-in directory)
  current  $tmp/d/c.conf (1 entry)
state:       current
trusted:     $trusted
module:      answers from this database
EOF
same_text "$tmp/expected" "$tmp/out" "info"
t=$(date -u -d "${built% UTC}" +%s) || fail "build time '$built' does not parse"
[ "$t" -ge "$before" ] && [ "$t" -le "$after" ] || fail "build time $built is not the time of the build"
echo "ok: info describes a current, trusted database"

run 0 "$PORTDB" info --db "$db" --json
command -v python3 >/dev/null || skip "python3 is needed to read the JSON"
python3 - "$tmp/out" "$db" "$tmp" "$size" "$rule" <<'EOF' || fail "info --json: $(cat "$tmp/out")"
import json, sys
j = json.load(open(sys.argv[1]))
db, tmp, size, rule = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
assert j["database"] == db and j["format_version"] == 2 and j["size"] == size, j
assert j["entries"] == 3 and j["skipped"] == 1 and j["parse_rule"] == rule, j
assert [s["path"] for s in j["sources"]] == [tmp + "/src", tmp + "/d", tmp + "/d/c.conf"], j
assert [s["directory"] for s in j["sources"]] == [False, True, False], j
assert all(s["state"] == "current" for s in j["sources"]), j
assert j["state"] == "current" and j["trusted"] is True and j["module_answers"] is True, j
assert j["mode"] == "0644", j
EOF
echo "ok: info --json"

# Stale: a source changed since the build; info still exits 0.
sleep 0.1
printf 'e 5/tcp\n' >>"$tmp/src"
run 0 "$PORTDB" info --db "$db"
grep -qx "  stale    $tmp/src (2 entries): source $tmp/src changed after the database was built" "$tmp/out" &&
	grep -qx "  current  $tmp/d/c.conf (1 entry)" "$tmp/out" &&
	grep -qx "state:       stale: source $tmp/src changed after the database was built" "$tmp/out" &&
	grep -q "^module:      answers UNAVAIL" "$tmp/out" || fail "info of a stale database: $(cat "$tmp/out")"
# While stale, glibc asks files, which reads /etc/services alone: the
# entries of every other source are unreachable, and info says so.
grep -qx "unreachable: the 2 entries of $tmp/src, until 'portdb build' runs again (glibc's files service reads /etc/services only)" "$tmp/out" &&
	grep -qx "unreachable: the 1 entry of $tmp/d/c.conf, until 'portdb build' runs again (glibc's files service reads /etc/services only)" "$tmp/out" ||
	fail "info of a stale database: the unreachable entries: $(cat "$tmp/out")"
run 0 "$PORTDB" info --db "$db" --json
grep -q '"state": "stale"' "$tmp/out" && grep -q '"module_answers": false' "$tmp/out" ||
	fail "info --json of a stale database: $(cat "$tmp/out")"
python3 - "$tmp/out" "$tmp" <<'EOF' || fail "info --json: unreachable: $(cat "$tmp/out")"
import json, sys
j = json.load(open(sys.argv[1]))
t = sys.argv[2]
assert j["unreachable"] == [{"path": t + "/src", "entries": 2}, {"path": t + "/d/c.conf", "entries": 1}], j
EOF
rm "$tmp/d/c.conf"
run 0 "$PORTDB" info --db "$db"
grep -q "^  stale    $tmp/d/c.conf (1 entry): source $tmp/d/c.conf: No such file or directory" "$tmp/out" ||
	fail "info with a source removed: $(cat "$tmp/out")"
# /etc/services itself stays reachable (through files) while stale.
if [ -r /etc/services ] && [ "$(grep -c '^[a-z]' /etc/services)" -gt 0 ]; then
	mkdir "$tmp/d2"
	printf 'dropin-x 4711/tcp\n' >"$tmp/d2/x.conf"
	run 0 "$PORTDB" build -q -o "$tmp/sys.lmdb" --dropin-dir "$tmp/d2" /etc/services
	sleep 0.1
	printf 'dropin-y 4712/tcp\n' >>"$tmp/d2/x.conf"
	run 0 "$PORTDB" info --db "$tmp/sys.lmdb"
	grep -qx "unreachable: the 1 entry of $tmp/d2/x.conf, until .*" "$tmp/out" &&
		! grep -q "^unreachable: .* of /etc/services," "$tmp/out" ||
		fail "info of a stale drop-in with /etc/services: $(cat "$tmp/out")"
fi
echo "ok: info shows stale sources, and what is unreachable meanwhile"

# Not trusted: writable by others; a symbolic link.
"$PORTDB" build -q -o "$db" "$tmp/src"
chmod 666 "$db"
run 0 "$PORTDB" info --db "$db"
grep -qx "trusted:     no: $db is writable by others (mode 0666)" "$tmp/out" &&
	grep -q "^module:      answers UNAVAIL" "$tmp/out" || fail "info of a writable database: $(cat "$tmp/out")"
chmod 644 "$db"
ln -s "$db" "$tmp/link.lmdb"
run 0 "$PORTDB" info --db "$tmp/link.lmdb"
grep -qx "trusted:     no: $tmp/link.lmdb is a symbolic link (to $db)" "$tmp/out" ||
	fail "info of a symbolic link: $(cat "$tmp/out")"
run 0 "$PORTDB" info --db "$tmp/link.lmdb" --json
grep -q '"trusted": false' "$tmp/out" || fail "info --json of a symbolic link: $(cat "$tmp/out")"
echo "ok: info says why the module would not trust a file"

run 1 "$PORTDB" info --db "$tmp/no-such.lmdb"
grep -q "$tmp/no-such.lmdb: No such file or directory" "$tmp/err" || fail "missing: $(cat "$tmp/err")"
run 1 "$PORTDB" info --db "$tmp/src"
grep -q "$tmp/src" "$tmp/err" || fail "not a database: $(cat "$tmp/err")"
run 1 "$PORTDB" info --db "$db" extra
run 1 "$PORTDB" info --no-such-option
echo "ok: exit 1 when the file cannot be read, and on bad usage"
