#!/bin/bash
# A deliberate difference from nss_files (doc/services-rules.md D1; README,
# "What it answers"): files reads the file line by line into the
# caller's buffer, so getservbyname_r with a small fixed buffer gets
# ERANGE when any longer line, even a comment, comes before the match.
# portdb answers whenever the answer itself fits, and says ERANGE only
# when it does not.  Both through the real libc; the files side needs a
# private mount namespace to put the fixture at /etc/services, and is
# left out, saying so, without one.
# Single-quoted scripts for bash -c are meant.
# shellcheck source=tests/lib.sh disable=SC2154,SC2016  # lib.sh sets $tmp
. "${top_srcdir:-.}/tests/lib.sh"

call=$TESTS_BIN/servbyname-r
[ -x "$call" ] || fail "$call is missing (build first)"

# A comment of 3000 bytes, then the entry; the answer needs well under
# 256 bytes (strings and alias pointers).
{
	printf '# %s\n' "$(printf '%03000d' 0 | tr 0 x)"
	printf 'pdb-small 45099/tcp ps-alias\n'
} >"$tmp/services"
"$PORTDB" build -q -o "$tmp/db.lmdb" "$tmp/services"

portdb_call() {
	LD_LIBRARY_PATH=$NSS_MODULE_DIR NSS_PORTDB_PATH=$tmp/db.lmdb "$call" portdb "$@"
}
expect() { # WHAT WANT GOT
	[ "$3" = "$2" ] || fail "$1: got '$3', want '$2'"
	echo "ok: $1: $3"
}

expect "portdb, 256-byte buffer, after a 3000-byte comment" \
	"found pdb-small 45099/tcp ps-alias" "$(portdb_call 256 pdb-small tcp)"
expect "portdb, by alias" "found pdb-small 45099/tcp ps-alias" "$(portdb_call 256 ps-alias tcp)"
# The answer itself does not fit: ERANGE, so that the caller grows the buffer.
expect "portdb, 16-byte buffer" "ERANGE" "$(portdb_call 16 pdb-small tcp)"
expect "portdb, a buffer the answer needs" "found pdb-small 45099/tcp ps-alias" \
	"$(portdb_call 4096 pdb-small tcp)"

# files on the same text, as /etc/services in a private mount namespace.
ns=""
for cand in "unshare -m --propagation private" "unshare -r -m --propagation private"; do
	# shellcheck disable=SC2086
	if command -v unshare >/dev/null 2>&1 && [ -e /etc/services ] &&
		timeout 30 $cand bash -c 'mount --bind -- "$1" /etc/services && cmp -s -- "$1" /etc/services' \
			_ "$tmp/services" >/dev/null 2>&1; then
		ns=$cand
		break
	fi
done
if [ -z "$ns" ]; then
	echo "note: no private mount namespace to put the fixture at /etc/services: files' side not shown"
	exit 0
fi
files_call() {
	# shellcheck disable=SC2086
	timeout 30 $ns bash -c 'mount --bind -- "$1" /etc/services && shift && exec "$@"' \
		_ "$tmp/services" "$call" files "$@"
}
expect "files, 256-byte buffer, after a 3000-byte comment" "ERANGE" "$(files_call 256 pdb-small tcp)"
expect "files, 8192-byte buffer" "found pdb-small 45099/tcp ps-alias" "$(files_call 8192 pdb-small tcp)"
