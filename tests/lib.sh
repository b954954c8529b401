# Shared helpers for the shell tests; sourced, not run.
set -euo pipefail

: "${PORTDB:?run through make check}"
: "${NSS_MODULE_DIR:?run through make check}"

# In a sanitizer build the module needs the ASan runtime loaded first in
# the unmodified programs (getent, ...) that load it.  Leak checking is
# off for them: their leaks are not ours (valgrind checks ours).  A
# program that loads no module runs without it (LD_PRELOAD= dd ...):
# ASan aborts some of theirs (dd's aligned_alloc(4096, 1)).
if [ "${PORTDB_SANITIZERS:-no}" = yes ]; then
	LD_PRELOAD=$(${CC:-cc} -print-file-name=libasan.so)
	ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}
	export LD_PRELOAD ASAN_OPTIONS
fi

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# shellcheck source=tests/elf-arch.sh
. "${top_srcdir:-.}/tests/elf-arch.sh"

# need_program PROGRAM: skip unless the system's PROGRAM (getent, python3,
# ...) is installed and can load this build's module.  A 64-bit getent
# cannot load the i386 module: glibc passes over it and finds nothing,
# which would say nothing about the module.
need_program() {
	local path prog mod
	path=$(command -v "$1") || skip "$1 is not installed"
	prog=$(elf_arch "$(readlink -f -- "$path")")
	mod=$(elf_arch "$NSS_MODULE_DIR/libnss_portdb.so.2")
	[ -z "$prog" ] || [ -z "$mod" ] || [ "$prog" = "$mod" ] ||
		skip "$path is $prog, the module $mod: it cannot load the module"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/portdb-test.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

# Run unmodified getent through the module in the build tree.
getent_portdb() {
	local db=$1; shift
	LD_LIBRARY_PATH=$NSS_MODULE_DIR NSS_PORTDB_PATH=$db getent -s services:portdb services "$@"
}

# line NAME PORT PROTO [ALIAS...]: the line getent prints for an entry,
# printf ("%-21s %d/%s", name, port, proto), then " alias" for each alias.
line() {
	local name=$1 port=$2 proto=$3
	shift 3
	printf '%-21s %d/%s' "$name" "$port" "$proto"
	[ $# -eq 0 ] || printf ' %s' "$@"
	printf '\n'
}

# expect_getent DB STATUS EXPECTED KEY...: getent pinned to portdb,
# answering from DB, exits STATUS and prints EXPECTED (standard output and
# error together: nothing else may be said).
expect_getent() {
	local db=$1 want_rc=$2 want=$3 rc=0 got
	shift 3
	got=$(getent_portdb "$db" "$@" 2>&1) || rc=$?
	[ "$rc" -eq "$want_rc" ] && [ "$got" = "$want" ] ||
		fail "getent -s services:portdb services $* (from $db): exit $rc, got
'$got'
expected exit $want_rc,
'$want'"
}
