# Shared helpers for the shell tests; sourced, not run.
set -euo pipefail

: "${PORTDB:?run through make check}"
: "${NSS_MODULE_DIR:?run through make check}"

# In a sanitizer build the module needs the ASan runtime loaded first in
# the unmodified programs (getent, ...) that load it.  Leak checking is
# off for them: their leaks are not ours (valgrind checks ours).
if [ "${PORTDB_SANITIZERS:-no}" = yes ]; then
	LD_PRELOAD=$(${CC:-cc} -print-file-name=libasan.so)
	ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}
	export LD_PRELOAD ASAN_OPTIONS
fi

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/portdb-test.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

# Run unmodified getent through the module in the build tree.
getent_portdb() {
	local db=$1; shift
	LD_LIBRARY_PATH=$NSS_MODULE_DIR NSS_PORTDB_PATH=$db getent -s services:portdb services "$@"
}
