#!/bin/bash
# The module keeps working in a program that exports LMDB functions of
# its own (tests/symbol-host.c), which it must never call: it calls no
# LMDB at all, and must not start to.
. "${top_srcdir:-.}/tests/lib.sh"

printf 'symbol-test 4711/tcp\n' > "$tmp/src"
"$PORTDB" build -q -o "$tmp/db.lmdb" "$tmp/src"
nm -D --defined-only "$TESTS_BIN/symbol-host" | grep ' T mdb_env_open$' >/dev/null ||
	fail "the host program does not export its own mdb_env_open"
got=$(LD_LIBRARY_PATH=$NSS_MODULE_DIR NSS_PORTDB_PATH=$tmp/db.lmdb "$TESTS_BIN/symbol-host" symbol-test)
[ "$got" = "symbol-test 4711/tcp" ] || fail "got '$got'"
echo "ok: a program with its own mdb_* functions gets the right answer"
