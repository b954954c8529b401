#!/bin/bash
# As user nobody, a root-owned database in a root-owned directory answers,
# and no lock file appears anywhere: the module opens it MDB_NOLOCK.
. "${top_srcdir:-.}/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root to create a root-owned database and switch to nobody"
command -v setpriv > /dev/null || skip "setpriv (util-linux) not installed"
need_program getent

printf 'nobody-svc 4242/tcp nsvc\n' > "$tmp/src"
"$PORTDB" build -q -o "$tmp/db.lmdb" "$tmp/src"
# the build tree may be private to root; give nobody a copy of the module
mkdir "$tmp/lib" && cp "$NSS_MODULE_DIR/libnss_portdb.so.2" "$tmp/lib/" && chmod -R a+rX "$tmp/lib"
marker=$tmp/marker; touch "$marker"; sleep 0.01
# the listing of the directory, less its parent (others write in /tmp)
listing() { ls -la --time-style=full-iso "$tmp" | grep -v ' \.\.$'; }
before=$(listing)

as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env LD_LIBRARY_PATH="$tmp/lib" NSS_PORTDB_PATH="$tmp/db.lmdb" "$@"
}
got=$(as_nobody getent -s services:portdb services nsvc/tcp)
[ "$got" = "nobody-svc            4242/tcp nsvc" ] || fail "as nobody: got '$got'"
got=$(as_nobody getent -s services:portdb services 4242)
[ "$got" = "nobody-svc            4242/tcp nsvc" ] || fail "as nobody by port: got '$got'"
[ "$(as_nobody id -un)" = nobody ] || fail "not running as nobody"

# No lock file: LMDB would put it beside the database (MDB_NOSUBDIR).
[ -z "$(find "$tmp" "$NSS_MODULE_DIR" "${TMPDIR:-/tmp}" -maxdepth 2 -name '*.lmdb-lock' -newer "$marker" 2>/dev/null | head -1)" ] ||
	fail "a lock file was created"
[ "$(listing)" = "$before" ] || fail "the database directory changed:
$(diff <(echo "$before") <(listing))"
echo "ok: nobody reads a root-owned database, no lock file"
