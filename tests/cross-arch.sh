#!/bin/bash
# cross-arch.sh: one database serves every architecture's module.
#
#   tests/cross-arch.sh AMD64_BUILD_DIR I386_BUILD_DIR SRCDIR
#
# Each build's `portdb build` indexes each fixture: SRCDIR/data/edge-services,
# a copy of /etc/services and, if /usr/share/wireshark/services is there,
# the IANA registry expanded by tests/expand-iana.awk (as tests/parity.sh
# does).  Then each build's tests/nss-dump, pinned to the portdb service
# and loading that build's module, answers from each build's database:
# module amd64 x database amd64, amd64 x i386, i386 x amd64, i386 x i386.
# The four must print the same query list, the same answers to the union
# of the query lists, and the same enumeration, and the enumeration must
# hold as many entries as the build of that database wrote: a module that
# refuses the file (UNAVAIL, nothing enumerated) fails.  One line a
# combination; the first differing lines under a failing one.
#
# Said, not judged: whether `portdb dump` of the two databases (each by
# its own build's tool) gives the same text, and in how many bytes the
# files differ.
#
# Not part of `make check`, which has one build; .ci/run runs it.  Missing
# nss-dump programs are built with `make tests/nss-dump` in their tree.
# CROSS_ARCH_KEEP=1 keeps the outputs.
#
# Exit: 0 pass, 1 a difference or an error, 2 usage, 77 skip (no i386 build).
set -euo pipefail

say() { echo "cross-arch: $*"; }
die() {
	say "FAIL: $*"
	exit 1
}
[ $# -eq 3 ] || {
	echo "usage: $0 AMD64_BUILD_DIR I386_BUILD_DIR SRCDIR" >&2
	exit 2
}
srcdir=$(cd "$3" && pwd)
# shellcheck source=tests/elf-arch.sh
. "$srcdir/tests/elf-arch.sh"

arches="amd64 i386"
declare -A tree kind
tree[amd64]=$1 tree[i386]=$2
kind[amd64]="64-bit x86-64" kind[i386]="32-bit i386"
for a in $arches; do
	t=${tree[$a]}
	if [ ! -f "$t/Makefile" ] || [ ! -x "$t/portdb" ] || [ ! -f "$t/.libs/libnss_portdb.so.2" ]; then
		[ "$a" = i386 ] && {
			say "SKIP: no i386 build in '$t' (a configured tree with portdb and .libs/libnss_portdb.so.2; .ci/run makes one in build-i386)"
			exit 77
		}
		die "no $a build in '$t' (build it first)"
	fi
	tree[$a]=$(cd "$t" && pwd)
	got=$(elf_arch "${tree[$a]}/.libs/libnss_portdb.so.2")
	[ "$got" = "${kind[$a]}" ] || die "'$t' holds a $got module, not ${kind[$a]}"
	make -s -C "${tree[$a]}" tests/nss-dump >/dev/null || die "make tests/nss-dump in '$t' failed"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cross-arch.XXXXXX")
if [ "${CROSS_ARCH_KEEP-}" = 1 ]; then
	trap 'say "kept $tmp"' EXIT
else
	trap 'rm -rf -- "$tmp"' EXIT
fi

# ------------------------------------------------------------- fixtures
# The sources are copied first: both builds index the same path, so their
# databases can be compared.
mkdir "$tmp/edge"
cp -- "$srcdir/data/edge-services" "$tmp/edge/source"
fixtures=edge
if [ -f /etc/services ]; then
	mkdir "$tmp/system"
	cp -- /etc/services "$tmp/system/source"
	fixtures+=" system"
else
	say "note: no /etc/services, fixture system left out"
fi
iana=/usr/share/wireshark/services
if [ -f "$iana" ]; then
	mkdir "$tmp/iana"
	LC_ALL=C awk -f "$srcdir/tests/expand-iana.awk" "$iana" >"$tmp/iana/source"
	fixtures+=" iana"
else
	say "note: no $iana (Debian package libwireshark-data), fixture iana left out"
fi

# nss_dump MODULE DB ARGS...: the MODULE build's nss-dump and module,
# answering from the DB build's database of fixture $d.
nss_dump() {
	local t=${tree[$1]}
	LD_LIBRARY_PATH=$t/.libs NSS_PORTDB_PATH=$d/$2.lmdb \
		timeout -k 10 600 "$t/tests/nss-dump" portdb "${@:3}"
}

# differ A B: the number of lines that differ between files A and B.
differ() { { diff -- "$1" "$2" || true; } | grep -c '^[<>]' || true; }

# show A B: the first differing lines, indented, "-" for A and "+" for B.
show() {
	{ diff -U0 -- "$1" "$2" || true; } | grep -v '^\(@@\|---\|+++\)' |
		head -n 4 | cut -c 1-200 | sed 's/^/    /' || true
}

failed=0
for fx in $fixtures; do
	d=$tmp/$fx
	declare -A wrote=()
	for b in $arches; do
		if ! "${tree[$b]}/portdb" build -o "$d/$b.lmdb" "$d/source" >"$d/$b.build" 2>&1; then
			say "FAIL: $fx: the $b portdb build failed: $(head -c 1000 "$d/$b.build")"
			failed=1
			continue 2
		fi
		wrote[$b]=$(sed -n 's/.*: \([0-9][0-9]*\) entries.*/\1/p' "$d/$b.build")
	done

	# Every combination's query list, then the union, asked of each.
	for m in $arches; do
		for b in $arches; do
			: >"$d/$m-$b.queries" && : >"$d/$m-$b.answer" && : >"$d/$m-$b.enum"
			nss_dump "$m" "$b" queries "$d/$m-$b.queries" 2>"$d/$m-$b.err" ||
				echo "nss-dump queries failed: $(head -c 500 "$d/$m-$b.err")" >>"$d/$m-$b.problems"
		done
	done
	cat "$d"/*-*.queries | grep -v '^#' | sort -u >"$d/union" || true
	for m in $arches; do
		for b in $arches; do
			c=$m-$b
			nss_dump "$m" "$b" answer "$d/union" >"$d/$c.answer" 2>"$d/$c.err" ||
				echo "nss-dump answer failed: $(head -c 500 "$d/$c.err")" >>"$d/$c.problems"
			nss_dump "$m" "$b" enumerate >"$d/$c.enum" 2>"$d/$c.err" ||
				echo "nss-dump enumerate failed: $(head -c 500 "$d/$c.err")" >>"$d/$c.problems"
		done
	done

	# One line a combination, against module amd64 x database amd64.  A
	# combination that enumerates nothing differs everywhere: its END line
	# (the module's status and errno) says more than excerpts would.
	ref=$d/amd64-amd64
	for m in $arches; do
		for b in $arches; do
			c=$m-$b label="$fx: $m module x $b database"
			n=$(grep -c '^E ' "$d/$c.enum" || true)
			if [ "$n" != "${wrote[$b]}" ]; then
				end=$(grep -m 1 '^END ' "$d/$c.enum" || true)
				echo "enumerates $n entries (${end:-no END line}), the $b build wrote ${wrote[$b]:-?}" >>"$d/$c.problems"
			fi
			[ -s "$d/union" ] || echo "no query to ask: no combination enumerated anything" >>"$d/$c.problems"
			same=
			if [ "$c" != amd64-amd64 ]; then
				for what in queries answer enum; do
					cmp -s -- "$ref.$what" "$d/$c.$what" && continue
					echo "'$what' differs from amd64 x amd64 in $(differ "$ref.$what" "$d/$c.$what") lines" >>"$d/$c.problems"
					[ "$n" = 0 ] || show "$ref.$what" "$d/$c.$what" >>"$d/$c.problems"
				done
				same=", the same as amd64 x amd64"
			fi
			if [ -s "$d/$c.problems" ]; then
				say "FAIL: $label:"
				sed 's/^/  /' "$d/$c.problems"
				failed=1
			else
				say "ok: $label: $n entries, $(wc -l <"$d/union") queries$same"
			fi
		done
	done

	# Said, not judged: the two databases as text (less the path in the
	# dump's heading) and as bytes.
	for b in $arches; do
		if "${tree[$b]}/portdb" dump --db "$d/$b.lmdb" >"$d/$b.dump" 2>"$d/$b.err"; then
			sed -i "s|$d/$b.lmdb|DB|" "$d/$b.dump"
		else
			dump="the $b portdb cannot dump its own database: $(head -c 300 "$d/$b.err")"
		fi
	done
	if [ -n "${dump-}" ]; then
		:
	elif cmp -s -- "$d/amd64.dump" "$d/i386.dump"; then
		dump="portdb dump gives the same text from both"
	else
		dump="portdb dump differs in $(differ "$d/amd64.dump" "$d/i386.dump") lines (first: $(
			{ diff -- "$d/amd64.dump" "$d/i386.dump" || true; } | grep -m 1 '^[<>]' | cut -c 1-200 || true))"
	fi
	bytes=$({ cmp -l -- "$d/amd64.lmdb" "$d/i386.lmdb" 2>/dev/null || true; } | wc -l)
	say "note: $fx: the two databases: $dump; the files ($(wc -c <"$d/amd64.lmdb") and $(wc -c <"$d/i386.lmdb") bytes) differ in $bytes bytes (two builds by one tool differ in the build time and the checksum: at most 16)"
	unset dump
done

[ "$failed" = 0 ] || die "the modules do not answer alike from every database (CROSS_ARCH_KEEP=1 keeps the outputs)"
say "ok: both modules answer alike from both builds' databases"
