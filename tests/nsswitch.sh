#!/bin/bash
# nsswitch.sh: `portdb nsswitch enable|disable|status` on copies of
# nsswitch.conf: enabling twice gives one entry, disabling gives back the
# file as it was, `db` leaves the line and comes back, other lines and
# comments are untouched, the file is replaced by rename (new inode, same
# mode, a backup of the old, no temporary left), a line glibc would reject
# is refused, and status says 0 enabled, 2 not, 3 listed otherwise.
# shellcheck source=tests/lib.sh disable=SC2154  # lib.sh sets $tmp
. "${top_srcdir:-.}/tests/lib.sh"

n=0
ns() { "$PORTDB" nsswitch -q --file "$f" "$@"; }
# services LINE: the services line of $f that glibc uses (the last one)
services() { grep -E '^[[:space:]]*services[[:space:]:]' "$f" | tail -n 1; }
expect_line() {
	local got
	got=$(services)
	[ "$got" = "$1" ] || fail "$2: services line is '$got', expected '$1'"
	n=$((n + 1))
}
expect_status() {
	local rc=0
	ns status || rc=$?
	[ "$rc" -eq "$1" ] || fail "$2: status exited $rc, expected $1 (line: '$(services)')"
	n=$((n + 1))
}
same() { cmp -s "$1" "$2" || fail "$3: $(diff -u "$1" "$2")"; n=$((n + 1)); }

# 1. Debian's default file: services: db files.
f=$tmp/debian
cat >"$f" <<'EOF'
# /etc/nsswitch.conf
#
# Example configuration of GNU Name Service Switch functionality.

passwd:         files systemd
group:          files systemd
hosts:          files dns
#services:      nis files
protocols:      db files
services:       db files
ethers:         db files
rpc:            db files

netgroup:       nis
EOF
cp "$f" "$tmp/debian.orig"
expect_status 2 "default file"
ino=$(stat -c %i "$f")
ns enable
expect_line "services:       portdb [NOTFOUND=return] files" "enable on 'db files'"
[ "$(stat -c %i "$f")" != "$ino" ] || fail "enable rewrote the file in place (same inode): not atomic"
same "$tmp/debian.orig" "$f.portdb-bak" "the backup is not the file before enable"
[ "$(grep -c portdb "$f")" -eq 2 ] || fail "enable: expected the line and one marker comment: $(cat "$f")"
grep -q '^protocols:      db files$' "$f" || fail "enable touched another database's line"
grep -q '^#services:      nis files$' "$f" || fail "enable touched a comment"
expect_status 0 "after enable"
cp "$f" "$tmp/once"
ns enable
same "$tmp/once" "$f" "enable twice changed the file"
ns disable
same "$tmp/debian.orig" "$f" "disable did not restore the file exactly"
expect_status 2 "after disable"
cp "$f" "$tmp/before"
ns disable
same "$tmp/before" "$f" "disable twice changed the file"
# enable, disable, enable: still one entry, one marker
ns enable; ns disable; ns enable; ns enable
[ "$(grep -c portdb "$f")" -eq 2 ] || fail "enable/disable cycles: $(cat "$f")"
expect_line "services:       portdb [NOTFOUND=return] files" "after cycles"

# 2. Only files; db with an action; portdb elsewhere; odd spacing.
for case in \
	"services: files|services: portdb [NOTFOUND=return] files|services: files" \
	"services:	db [NOTFOUND=return] files|services:	portdb [NOTFOUND=return] files|services:	db [NOTFOUND=return] files" \
	"services: sss db files|services: portdb [NOTFOUND=return] sss files|services: sss db files" \
	"services: db|services: portdb [NOTFOUND=return] files|services: db" \
	"services: files portdb|services: portdb [NOTFOUND=return] files|services: files" \
	"services: portdb files|services: portdb [NOTFOUND=return] files|services: files" \
	"  services :files|  services : portdb [NOTFOUND=return] files|  services :files"
do
	IFS='|' read -r start enabled disabled <<<"$case"
	f=$tmp/case
	printf 'hosts: files dns\n%s\nrpc: files\n' "$start" >"$f"
	ns enable
	expect_line "$enabled" "enable on '$start'"
	ns disable
	expect_line "$disabled" "disable after enable on '$start'"
	[ "$(head -n1 "$f")" = "hosts: files dns" ] && [ "$(tail -n1 "$f")" = "rpc: files" ] ||
		fail "other lines changed: $(cat "$f")"
	grep -q "Before 'portdb" "$f" && fail "disable left the marker comment"
done

# 3. Already there, written otherwise: nothing to do, no backup.
f=$tmp/already
printf 'services: portdb [ notfound = RETURN ] files\n' >"$f"
cp "$f" "$tmp/already.orig"
expect_status 0 "portdb [ notfound = RETURN ]"
ns enable
same "$tmp/already.orig" "$f" "enable rewrote an enabled line"
[ ! -e "$f.portdb-bak" ] || fail "a backup was written though nothing changed"
ns disable
expect_line "services: files" "disable of a hand-written entry"

# 4. Listed, but not as recommended: status 3.
f=$tmp/listed
printf 'services: files portdb\n' >"$f"
expect_status 3 "portdb after files"
printf 'services: portdb files\n' >"$f"
expect_status 3 "portdb without [NOTFOUND=return]"

# 5. No services line: one is added, and disable takes it away again.
f=$tmp/noline
printf 'passwd: files\n# comment' >"$f"   # no final newline either
expect_status 2 "no services line"
ns enable
expect_line "services:       portdb [NOTFOUND=return] files" "enable without a services line"
ns disable
printf 'passwd: files\n# comment\n' >"$tmp/noline.want"   # the last line now ends
same "$tmp/noline.want" "$f" "disable after adding a line"

# 6. No file at all: enable creates one (mode 0644); status says 2 before.
f=$tmp/absent
expect_status 2 "no file"
ns disable
[ ! -e "$f" ] || fail "disable created a file"
ns enable
expect_line "services:       portdb [NOTFOUND=return] files" "enable without a file"
[ "$(stat -c %a "$f")" = 644 ] || fail "a new file has mode $(stat -c %a "$f")"

# 7. Several services lines: glibc uses the last; that one is edited.
f=$tmp/two
printf 'services: nis\nhosts: files\nservices: db files\n' >"$f"
ns enable
[ "$(head -n1 "$f")" = "services: nis" ] || fail "the first (unused) services line changed"
expect_line "services: portdb [NOTFOUND=return] files" "two services lines"
ns disable
[ "$(cat "$f")" = "$(printf 'services: nis\nhosts: files\nservices: db files')" ] ||
	fail "two services lines after disable: $(cat "$f")"

# 8. The line changed by hand after enable: disable only takes portdb off.
f=$tmp/edited
printf 'services: db files\n' >"$f"
ns enable
sed -i 's/^services: portdb \[NOTFOUND=return\] files$/services: portdb [NOTFOUND=return] sss files/' "$f"
ns disable
expect_line "services: sss files" "disable after a hand edit"
grep -q "Before 'portdb" "$f" && fail "disable left the marker after a hand edit"

# 9. A line glibc rejects (no ']'): refused, file untouched.
f=$tmp/bad
printf 'services: db [NOTFOUND=return files\n' >"$f"
cp "$f" "$tmp/bad.orig"
rc=0; ns enable 2>"$tmp/err" || rc=$?
[ "$rc" -eq 1 ] || fail "enable on a malformed line exited $rc"
grep -q "without ']'" "$tmp/err" || fail "no reason given: $(cat "$tmp/err")"
same "$tmp/bad.orig" "$f" "a malformed file was changed"

# 10. Mode and symbolic links: the mode is kept; the link stays a link
#     and its target is edited.
f=$tmp/target
printf 'services: files\n' >"$f"
chmod 640 "$f"
ln -s target "$tmp/link"
"$PORTDB" nsswitch -q --file "$tmp/link" enable
[ -L "$tmp/link" ] || fail "the symbolic link was replaced"
expect_line "services: portdb [NOTFOUND=return] files" "through a link"
[ "$(stat -c %a "$f")" = 640 ] || fail "mode changed to $(stat -c %a "$f")"

# 11. --dry-run changes nothing; the messages say what would be done.
f=$tmp/dry
printf 'services: db files\n' >"$f"
cp "$f" "$tmp/dry.orig"
out=$("$PORTDB" nsswitch --file "$f" --dry-run enable)
[ "$out" = "$f: would enable: services: portdb [NOTFOUND=return] files" ] || fail "dry run said '$out'"
same "$tmp/dry.orig" "$f" "--dry-run changed the file"
[ ! -e "$f.portdb-bak" ] || fail "--dry-run wrote a backup"
# Options may follow the action, as GNU programs take them.
out=$("$PORTDB" nsswitch enable --dry-run --file "$f")
[ "$out" = "$f: would enable: services: portdb [NOTFOUND=return] files" ] || fail "enable --dry-run --file said '$out'"
same "$tmp/dry.orig" "$f" "enable --dry-run --file changed the file"
out=$("$PORTDB" nsswitch --file "$f" enable)
[ "$out" = "$f: enabled: services: portdb [NOTFOUND=return] files" ] || fail "enable said '$out'"
out=$("$PORTDB" nsswitch --file "$f" status | head -n1)
[ "$out" = "$f:2: enabled: services: portdb [NOTFOUND=return] files" ] || fail "status said '$out'"

# 12. Usage errors.
rc=0; "$PORTDB" nsswitch --file "$f" frobnicate 2>/dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "an unknown action exited $rc"
rc=0; "$PORTDB" nsswitch 2>/dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "no action exited $rc"
rc=0; "$PORTDB" nsswitch --file "$f" status --bogus 2>"$tmp/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "unrecognized option '--bogus'" "$tmp/err" ||
	fail "an unknown option exited $rc: $(cat "$tmp/err")"
"$PORTDB" nsswitch --help | grep -q 'enable|disable|status' || fail "--help"

# No temporary file left anywhere.
left=$(find "$tmp" -name '.*portdb-*')
[ -z "$left" ] || fail "temporary files left: $left"

echo "ok: nsswitch: $n checks"
