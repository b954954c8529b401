#!/bin/bash
# e2e.sh: unmodified programs answer from the database through the
# recommended nsswitch.conf line, "services: portdb [NOTFOUND=return] files".
#
# Each program runs in a private mount namespace (unshare -m) where a test
# copy of nsswitch.conf, made by `portdb nsswitch enable`, is bind-mounted
# over /etc/nsswitch.conf; glibc finds the module in the build tree through
# LD_LIBRARY_PATH and the test database through NSS_PORTDB_PATH.  Nothing
# on the real system changes (checked at the end).
#
# - python3: socket.getservbyname, getservbyport, getaddrinfo with a
#   service name; perl: getservbyname, getservbyport; getent services by
#   name, by port, and the whole enumeration;
# - an entry only in the database is found; an entry only in /etc/services
#   is not ([NOTFOUND=return]: files is not asked when the database answers);
#   with the database missing, files answers (UNAVAIL goes on);
# - a python process that keeps running sees a database that `portdb build`
#   replaced, within 5 seconds, without a restart.
# shellcheck source=tests/lib.sh disable=SC2154  # lib.sh sets $tmp
. "${top_srcdir:-.}/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for a private mount namespace (unshare -m) and a bind mount"
command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
# why_no_private_mounts: say why 'unshare -m --propagation private' failed.
why_no_private_mounts() {
	local msg cap
	msg=$(unshare -m --propagation private true 2>&1 | head -n 1) || true
	cap=$(awk '/^CapEff:/ { print $2 }' /proc/self/status 2>/dev/null)
	if [ -n "$cap" ] && [ $(((0x$cap >> 21) & 1)) -eq 0 ]; then   # CAP_SYS_ADMIN is bit 21
		echo "no CAP_SYS_ADMIN (effective capabilities $cap), which unshare -m needs: $msg"
	elif ! unshare -m --propagation unchanged true 2>/dev/null; then
		echo "no new mount namespace may be made here (seccomp or a namespace limit?): $msg"
	elif [ -r /proc/self/mountinfo ] && ! awk '$5 == "/" { found = 1 } END { exit !found }' /proc/self/mountinfo; then
		# Making mounts private starts at /, which must be a mount point.
		echo "the root directory is not a mount point (a chroot?), so its mounts cannot be made private: $msg"
	else
		echo "unshare -m --propagation private failed: $msg"
	fi
}
unshare -m --propagation private true 2>/dev/null || skip "$(why_no_private_mounts)"
[ -f /etc/nsswitch.conf ] || skip "/etc/nsswitch.conf does not exist: nothing to bind-mount over"
[ -f /etc/services ] || skip "/etc/services does not exist"
need_program python3
need_program perl
need_program getent

real_conf=$(sha256sum /etc/nsswitch.conf)
n=0

# --------------------------------------------------------------- the data
# /etc/services without ssh, plus two services it does not have.
for key in e2e-only e2e-alias e2e-new 54390/tcp 54391/tcp; do
	if getent -s services:files services "$key" >/dev/null 2>&1; then
		skip "the system's /etc/services already has '$key'"
	fi
done
getent -s services:files services ssh/tcp >/dev/null 2>&1 ||
	skip "the system's /etc/services has no ssh/tcp, which this test drops from the database"
grep -Ev '^[[:space:]]*ssh[[:space:]]' /etc/services >"$tmp/services"
cat >>"$tmp/services" <<'EOF'
e2e-only	54390/tcp	e2e-alias	# only in the database
e2e-only	54390/udp
EOF
cp "$tmp/services" "$tmp/services.new"
printf 'e2e-new\t54391/tcp\n' >>"$tmp/services.new"
db=$tmp/db.lmdb
"$PORTDB" build -q -o "$db" "$tmp/services" || fail "portdb build failed"

# The test nsswitch.conf: the real one, with portdb enabled by the tool.
cp /etc/nsswitch.conf "$tmp/nsswitch.conf"
"$PORTDB" nsswitch -q --file "$tmp/nsswitch.conf" enable || fail "portdb nsswitch enable failed"
grep -q '^services: *portdb \[NOTFOUND=return\] files$' "$tmp/nsswitch.conf" ||
	fail "the test nsswitch.conf has no recommended line: $(grep services "$tmp/nsswitch.conf")"

# in_ns DB COMMAND...: run COMMAND with the test nsswitch.conf in place.
in_ns() {
	local dbpath=$1
	shift
	unshare -m --propagation private -- \
		sh -c 'mount --bind "$1" /etc/nsswitch.conf && shift && exec "$@"' sh "$tmp/nsswitch.conf" \
		env LD_LIBRARY_PATH="$NSS_MODULE_DIR" NSS_PORTDB_PATH="$dbpath" "$@"
}
# expect WHAT EXPECTED COMMAND...: COMMAND prints EXPECTED (and exits 0)
expect() {
	local what=$1 want=$2 got rc=0
	shift 2
	got=$("$@" 2>"$tmp/err") || rc=$?
	[ "$rc" -eq 0 ] || fail "$what: exit $rc: $(cat "$tmp/err")"
	[ "$got" = "$want" ] || fail "$what: got '$got', expected '$want' ($(cat "$tmp/err"))"
	n=$((n + 1))
}

in_ns "$db" grep -q '^services: *portdb' /etc/nsswitch.conf ||
	fail "the bind mount did not put the test nsswitch.conf in place"

# ---------------------------------------------------------------- python
cat >"$tmp/lookups.py" <<'EOF'
import socket
import sys

def missing(fn, *args):
    try:
        fn(*args)
    except OSError:
        return True
    return False

out = []
out.append(socket.getservbyname('e2e-only', 'tcp'))
out.append(socket.getservbyname('e2e-alias'))
out.append(socket.getservbyname('e2e-only', 'udp'))
out.append(socket.getservbyport(54390, 'udp'))
out.append(socket.getservbyport(54390))
ports = sorted({ai[4][1] for ai in socket.getaddrinfo(None, 'e2e-only', type=socket.SOCK_STREAM)})
out.append(ports)
ports = sorted({ai[4][1] for ai in socket.getaddrinfo('127.0.0.1', 'e2e-only', socket.AF_INET, socket.SOCK_DGRAM)})
out.append(ports)
out.append(missing(socket.getservbyname, 'ssh', 'tcp'))
out.append(missing(socket.getaddrinfo, None, 'ssh', 0, socket.SOCK_STREAM))
out.append(missing(socket.getservbyname, 'e2e-only', 'sctp'))
print(' '.join(str(x) for x in out))
EOF
expect "python3 lookups" "54390 54390 54390 e2e-only e2e-only [54390] [54390] True True True" \
	in_ns "$db" python3 "$tmp/lookups.py"

# The database missing: UNAVAIL, so files answers (ssh is there, ours not).
expect "python3 with no database" "22 True" in_ns "$tmp/no-such.lmdb" python3 -c '
import socket
try:
    socket.getservbyname("e2e-only", "tcp"); found = False
except OSError:
    found = True
print(socket.getservbyname("ssh", "tcp"), found)'

# ------------------------------------------------------------------ perl
expect "perl getservbyname" "e2e-only 54390 tcp e2e-alias" in_ns "$db" perl -e '
my ($name, $aliases, $port, $proto) = getservbyname("e2e-alias", "tcp") or die "not found\n";
print "$name $port $proto $aliases\n";'
expect "perl getservbyport" "e2e-only" in_ns "$db" perl -e '
my $name = getservbyport(54390, "udp") or die "not found\n"; print "$name\n";'
expect "perl misses ssh" "not found" in_ns "$db" perl -e '
print defined(getservbyname("ssh", "tcp")) ? "found\n" : "not found\n";'

# ---------------------------------------------------------------- getent
tcp_line=$(printf '%-21s %d/%s %s' e2e-only 54390 tcp e2e-alias)
udp_line=$(printf '%-21s %d/%s' e2e-only 54390 udp)
expect "getent by name" "$tcp_line" in_ns "$db" getent services e2e-only
expect "getent by alias" "$tcp_line" in_ns "$db" getent services e2e-alias/tcp
expect "getent by port" "$udp_line" in_ns "$db" getent services 54390/udp
rc=0; in_ns "$db" getent services ssh >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "getent services ssh: exit $rc, expected 2 (not found: [NOTFOUND=return])"
n=$((n + 1))
in_ns "$db" getent services >"$tmp/enum" || fail "getent services (enumeration) failed"
getent_portdb "$db" >"$tmp/enum.portdb" || fail "getent -s services:portdb services failed"
cmp -s "$tmp/enum" "$tmp/enum.portdb" ||
	fail "the enumeration through nsswitch.conf differs from the module's: $(diff "$tmp/enum.portdb" "$tmp/enum" | head)"
grep -qx "$tcp_line" "$tmp/enum" && grep -qx "$udp_line" "$tmp/enum" ||
	fail "the enumeration lacks the database-only entries"
n=$((n + 1))

# ------------------------------------------------- a long-running process
# It answers from the old database, says so, waits for the go file, then
# asks for the new entry until it appears (5 s at most).
cat >"$tmp/longrun.py" <<'EOF'
import os
import socket
import sys
import time

go = sys.argv[1]
assert socket.getservbyname('e2e-only', 'tcp') == 54390
try:
    socket.getservbyname('e2e-new', 'tcp')
    print('e2e-new found before the rebuild', flush=True)
    sys.exit(1)
except OSError:
    pass
print('ready', flush=True)
deadline = time.monotonic() + 60
while not os.path.exists(go):
    if time.monotonic() > deadline:
        print('no go file', flush=True)
        sys.exit(1)
    time.sleep(0.02)
start = time.monotonic()
while time.monotonic() - start < 5:
    try:
        port = socket.getservbyname('e2e-new', 'tcp')
        print('new %d after %.1f s' % (port, time.monotonic() - start), flush=True)
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
print('e2e-new not found within 5 s', flush=True)
sys.exit(1)
EOF
in_ns "$db" python3 "$tmp/longrun.py" "$tmp/go" >"$tmp/longrun.out" 2>&1 &
pid=$!
for _ in $(seq 300); do
	grep -q . "$tmp/longrun.out" 2>/dev/null && break
	sleep 0.05
done
grep -qx ready "$tmp/longrun.out" || { kill "$pid" 2>/dev/null; fail "the long-running python did not start: $(cat "$tmp/longrun.out")"; }
"$PORTDB" build -q -o "$db" "$tmp/services.new" || { kill "$pid"; fail "the second portdb build failed"; }
touch "$tmp/go"
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 0 ] || fail "the long-running python: $(cat "$tmp/longrun.out")"
grep -q '^new 54391 after' "$tmp/longrun.out" || fail "the long-running python said: $(cat "$tmp/longrun.out")"
n=$((n + 1))

# Nothing outside the namespaces changed.
[ "$(sha256sum /etc/nsswitch.conf)" = "$real_conf" ] || fail "the real /etc/nsswitch.conf changed"

echo "ok: e2e: $n checks; the long-running process: $(tail -n 1 "$tmp/longrun.out")"
