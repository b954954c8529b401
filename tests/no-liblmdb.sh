#!/bin/bash
# The module reads the database itself: it needs no library but libc,
# loads none at run time, and a process it has answered has no liblmdb
# mapped (so no second LMDB, no RTLD_DEEPBIND, no allocator mix-up).
# Every check runs, and the failure names each that did not hold.
. "${top_srcdir:-.}/tests/lib.sh"

command -v readelf > /dev/null || skip "readelf (binutils) not installed"
module=$NSS_MODULE_DIR/libnss_portdb.so.2
problems=()

# NEEDED: libc and at most the dynamic loader (named after the one the
# test programs ask for, so for this architecture); in a sanitizer
# build, the sanitizers' runtimes too.
loader=$(readelf -l "$TESTS_BIN/nss-call" | sed -n 's|.*interpreter: \(.*\)\]$|\1|p')
allowed=(libc.so.6 "${loader##*/}")
[ "${PORTDB_SANITIZERS:-no}" = no ] || allowed+=('libasan.so.*' 'libubsan.so.*')
mapfile -t needed < <(readelf -d "$module" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
echo "NEEDED: ${needed[*]}"
[[ " ${needed[*]} " == *" libc.so.6 "* ]] || problems+=("it does not need libc.so.6")
for lib in "${needed[@]}"; do
	ok=no
	for a in "${allowed[@]}"; do
		# shellcheck disable=SC2053 # $a is a pattern
		[[ $lib == $a ]] && ok=yes
	done
	[ "$ok" = yes ] || problems+=("it needs $lib")
done

# Nothing loaded at run time either: no dlopen among its imports, and no
# LMDB function.
bad=$(readelf --dyn-syms -W "$module" |
	awk '$7 == "UND" { sub(/@.*/, "", $8); if ($8 ~ /^(dlopen|dlmopen|mdb_.*)$/) print $8 }')
[ -z "$bad" ] || problems+=("it imports $(echo $bad)")

# A process the module has answered has no liblmdb mapped.
printf 'lmdb-test 4711/tcp\n' > "$tmp/services"
"$PORTDB" build -q -o "$tmp/db.lmdb" "$tmp/services"
out=$(NSS_PORTDB_PATH=$tmp/db.lmdb "$TESTS_BIN/nss-call" lmdb-test tcp maps)
[ "${out%%$'\n'*}" = "SUCCESS lmdb-test 4711/tcp" ] || fail "the lookup: $out"
grep -q '^mapped .*/libnss_portdb\.so\.2$' <<< "$out" || fail "the module is not in the maps: $out"
lmdb=$(grep '^mapped .*liblmdb' <<< "$out" || true)
[ -z "$lmdb" ] || problems+=("after a lookup the process maps ${lmdb#mapped }")

if [ ${#problems[@]} -gt 0 ]; then
	msg=$(printf '%s; ' "${problems[@]}")
	fail "the module: ${msg%; }"
fi
echo "ok: the module needs only ${needed[*]}, imports no dlopen, maps no liblmdb"
