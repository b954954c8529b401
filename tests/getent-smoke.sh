#!/bin/bash
# getent-smoke.sh: the unmodified getent(1), pinned to the portdb service
# with -s services:portdb, answers from a database built by `portdb build`:
# by name, by alias, by port with and without a protocol, misses (exit 2),
# and the whole enumeration, line for line.
#
# getent prints an entry as printf ("%-21s %d/%s", name, port, proto), then
# " alias" for each alias, then a newline; it exits 2 when a key is not found.
# shellcheck source=tests/lib.sh disable=SC2154  # lib.sh sets $tmp
. "${top_srcdir:-.}/tests/lib.sh"

need_program getent

# Entries that the real /etc/services does not have, so an answer can only
# come from the module.
cat >"$tmp/services" <<'EOF'
# getent-smoke: a small services file
portdb-smoke	54321/tcp	psmoke		# a comment
portdb-smoke	54321/udp	psmoke psmoke-udp
portdb-smoke-with-a-long-name 54322/tcp
  portdb-shadow 54323/tcp first
portdb-shadow 54324/tcp second
portdb-noalias 54325/sctp
EOF

for key in portdb-smoke psmoke portdb-shadow 54321/tcp; do
	if getent -s services:files services "$key" >/dev/null 2>&1; then
		skip "the system's /etc/services already has '$key'; this test needs keys it does not have"
	fi
done

"$PORTDB" build -o "$tmp/db.lmdb" "$tmp/services" >"$tmp/build.out" 2>&1 ||
	fail "portdb build failed: $(cat "$tmp/build.out")"

smoke_tcp=$(line portdb-smoke 54321 tcp psmoke)
smoke_udp=$(line portdb-smoke 54321 udp psmoke psmoke-udp)
long=$(line portdb-smoke-with-a-long-name 54322 tcp)
shadow1=$(line portdb-shadow 54323 tcp first)
shadow2=$(line portdb-shadow 54324 tcp second)
noalias=$(line portdb-noalias 54325 sctp)

# expect STATUS EXPECTED-OUTPUT KEY...: run getent pinned to portdb.
n=0
expect() {
	expect_getent "$tmp/db.lmdb" "$@"
	n=$((n + 1))
}

expect 0 "$smoke_tcp" portdb-smoke
expect 0 "$smoke_tcp" psmoke
expect 0 "$smoke_tcp" psmoke/tcp
expect 0 "$smoke_tcp" portdb-smoke/tcp
expect 0 "$smoke_udp" portdb-smoke/udp
expect 0 "$smoke_udp" psmoke-udp
expect 0 "$smoke_udp" psmoke/udp
expect 0 "$smoke_tcp" 54321/tcp
expect 0 "$smoke_udp" 54321/udp
expect 0 "$smoke_tcp" 54321
expect 0 "$long" portdb-smoke-with-a-long-name
expect 0 "$long" 54322
expect 0 "$shadow1" portdb-shadow
expect 0 "$shadow1" first
expect 0 "$shadow2" second
expect 0 "$shadow2" 54324/tcp
expect 0 "$noalias" 54325
expect 0 "$noalias" portdb-noalias/sctp
expect 0 "$smoke_tcp
$smoke_udp
$long" portdb-smoke psmoke-udp 54322

# Misses: exit 2, nothing printed.
expect 2 "" nosuch
expect 2 "" nosuch/tcp
expect 2 "" portdb-smoke/sctp
expect 2 "" psmoke-udp/tcp
expect 2 "" 54321/sctp
expect 2 "" 54326
expect 2 "" 54322/udp
expect 2 "" PORTDB-SMOKE
expect 2 "" portdb-smok
# found keys are printed even when another key is missing
expect 2 "$smoke_tcp
$long" portdb-smoke nosuch 54322

# The whole enumeration, in file order, duplicates included.
expect 0 "$smoke_tcp
$smoke_udp
$long
$shadow1
$shadow2
$noalias"

# A database that does not exist: the service is unavailable, nothing found.
rc=0
got=$(getent_portdb "$tmp/no-such.lmdb" portdb-smoke 2>/dev/null) || rc=$?
if [ "$rc" -ne 2 ] || [ -n "$got" ]; then
	fail "with a missing database: exit $rc, output '$got' (expected exit 2, no output)"
fi
n=$((n + 1))

echo "ok: getent-smoke: $n getent runs gave the expected lines and exit statuses"
