#!/bin/bash
# The module carries only the read half of the core: no function that the
# write half (libportdb_core: encoders, index building, metadata encoding,
# sealing, parsing, formats, publishing) defines is in libnss_portdb.so.2.
# The list is read from the libraries themselves, so a function moved to
# the wrong half fails here.
. "${top_srcdir:-.}/tests/lib.sh"

command -v nm > /dev/null || skip "nm (binutils) not installed"
module=$NSS_MODULE_DIR/libnss_portdb.so.2
libs=${top_builddir:-.}/.libs
[ -f "$libs/libportdb_core.a" ] && [ -f "$libs/libportdb_read.a" ] ||
	skip "no static convenience libraries in $libs"

# Names of the project's own functions and data; the compiler's and the
# linker's helpers (i386's __x86.get_pc_thunk.*, in every object) are
# not the project's, and start with two underscores.
defined() {
	nm --defined-only "$@" 2>/dev/null |
		awk 'NF == 3 && $2 ~ /^[TDRB]$/ && $3 !~ /^__/ { print $3 }' | sort -u
}

in_module=$(nm "$module" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u)
grep -qx runtime_begin <<< "$in_module" ||
	skip "$module has no symbol table (stripped): nothing to compare"

# libportdb_core.a holds the read half's objects too (libtool merges a
# convenience library into the one that adds it): take them away.
write_half=$(comm -23 <(defined "$libs/libportdb_core.a") <(defined "$libs/libportdb_read.a"))
for f in entry_encode index_insert meta_encode_header seal_encode portdb_publish; do
	grep -qx "$f" <<< "$write_half" || fail "the write half does not define $f: the test reads the wrong library"
done

leaked=$(comm -12 <(echo "$write_half") <(echo "$in_module"))
[ -z "$leaked" ] || fail "the module carries the write half: $(echo $leaked)"
echo "ok: none of the write half's $(wc -l <<< "$write_half") functions is in the module"
