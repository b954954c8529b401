# Shared helpers for the shell tests; sourced, not run.
set -euo pipefail

: "${PORTDB:?run through make check}"
: "${NSS_MODULE_DIR:?run through make check}"

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
