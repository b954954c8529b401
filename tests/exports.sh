#!/bin/bash
# The module exports the five services functions and nothing else: no
# core or LMDB symbol can clash with a program's own.
. "${top_srcdir:-.}/tests/lib.sh"

command -v nm > /dev/null || skip "nm (binutils) not installed"
got=$(nm -D --defined-only "$NSS_MODULE_DIR/libnss_portdb.so.2" | awk '{print $3}' | sort)
want=$(printf '%s\n' _nss_portdb_endservent _nss_portdb_getservbyname_r \
	_nss_portdb_getservbyport_r _nss_portdb_getservent_r _nss_portdb_setservent)
[ "$got" = "$want" ] || fail "exported symbols differ:
$(diff <(echo "$want") <(echo "$got"))"
echo "ok: exactly the five _nss_portdb_* functions are exported"
