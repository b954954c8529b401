#!/bin/bash
# portdb --help and portdb COMMAND --help: exit 0, and every command and
# option they name is documented in portdb(8); the man pages render
# without a warning.
# shellcheck source=tests/lib.sh disable=SC2154  # lib.sh sets $tmp
. "${top_srcdir:-.}/tests/lib.sh"
# shellcheck source=tests/tool-lib.sh
. "${top_srcdir:-.}/tests/tool-lib.sh"

man8=$top_srcdir/man/portdb.8
nss8=$top_srcdir/man/nss_portdb.8
[ -f "$man8" ] && [ -f "$nss8" ] || fail "man/portdb.8 or man/nss_portdb.8 is missing"
# The page's text with roff's \- and \(en turned back into plain characters.
sed -e 's/\\-/-/g' -e 's/\\(en/-/g' -e 's/\\&//g' "$man8" >"$tmp/man"

commands="build check get dump info convert"
run 0 "$PORTDB" --help
for c in $commands; do
	grep -q "^  $c " "$tmp/out" || fail "portdb --help does not list '$c'"
	grep -q "^\.SS \"\?$c" "$tmp/man" || fail "portdb(8) has no section for '$c'"
done
for c in $commands; do
	run 0 "$PORTDB" "$c" --help
	head -1 "$tmp/out" | grep -q "^Usage: portdb $c" || fail "$c --help: $(head -1 "$tmp/out")"
	grep -q '^Exit status: ' "$tmp/out" || fail "$c --help says nothing of the exit status"
	for opt in $(grep -o -- '--[a-z][a-z-]*' "$tmp/out" | sort -u); do
		grep -q -- "$opt" "$tmp/man" || fail "portdb $c --help names $opt, portdb(8) does not"
	done
done
echo "ok: every command and option of --help is in portdb(8)"

# Every command reads its options with one parser, GNU's way: an unknown
# option is bad usage (exit 1; 2 for check, whose 1 means warnings), said
# on standard error; --help works after an operand too.
for c in $commands nsswitch; do
	want=1
	[ "$c" != check ] || want=2
	run "$want" "$PORTDB" "$c" --bogus
	grep -qx "portdb: $c: unrecognized option '--bogus'" "$tmp/err" &&
		grep -qx "Try 'portdb $c --help' for more information." "$tmp/err" ||
		fail "$c --bogus: $(cat "$tmp/err")"
	run 0 "$PORTDB" "$c" operand --help
	head -1 "$tmp/out" | grep -q "^Usage: portdb $c" || fail "$c operand --help: $(head -1 "$tmp/out")"
done
echo "ok: unknown options are usage errors; options may follow operands"

run 1 "$PORTDB"
run 1 "$PORTDB" no-such-command
grep -q "unknown command 'no-such-command'" "$tmp/err" || fail "unknown command: $(cat "$tmp/err")"
run 0 "$PORTDB" --version
echo "ok: no command or an unknown one: exit 1"

# Not with a sanitizer build's runtime preloaded (lib.sh): these are not ours.
unset LD_PRELOAD
for page in "$man8" "$nss8"; do
	if command -v groff >/dev/null; then
		groff -man -Tutf8 -ww -z "$page" >"$tmp/groff" 2>&1 || fail "groff failed on $page"
		[ ! -s "$tmp/groff" ] || fail "groff warns about $page: $(head -5 "$tmp/groff")"
	fi
	if command -v man >/dev/null; then
		MANWIDTH=80 man -l "$page" >"$tmp/rendered" 2>"$tmp/man-err" </dev/null || fail "man -l $page failed"
		[ -s "$tmp/rendered" ] || fail "man -l $page printed nothing"
	fi
done
for word in NSS_PORTDB_PATH secure_getenv 'services: portdb \[NOTFOUND=return\] files' UNAVAIL 'symbolic link' 'portdb build'; do
	grep -q -- "$word" "$nss8" || fail "nss_portdb(8) does not mention '$word'"
done
echo "ok: the man pages render cleanly"
