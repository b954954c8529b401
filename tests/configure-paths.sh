#!/bin/bash
# The README's order in one tree: configure with the default prefix and
# make, then configure --prefix=/usr --sysconfdir=/etc
# --localstatedir=/var and make: the second make rebuilds, and the tool
# and the module use the new paths (they come from config.h, not from
# -D flags that make does not see change).  In a scratch copy of the
# source tree; builds only the tool and the module.
# shellcheck source=tests/lib.sh disable=SC2154  # lib.sh sets $tmp
. "${top_srcdir:-.}/tests/lib.sh"

# Two configures and two builds: half a minute, which `make check`'s
# two-minute budget leaves to `make check-full` (CI runs that).
[ "${PORTDB_CHECK_FULL-}" = 1 ] ||
	skip "configures and builds a copy twice: make check-full runs it"
[ -x "$top_srcdir/configure" ] || skip "no configure script in $top_srcdir (run autogen.sh)"
command -v make >/dev/null || skip "make is not installed"
command -v strings >/dev/null || skip "strings (binutils) is not installed"

src=$tmp/src
cp -a "$top_srcdir" "$src"
chmod -R u+w "$src"
rm -rf "$src/.git"
# A configured source tree (an in-tree build) is cleaned first, so that
# the copy configures as a fresh checkout does.
if [ -f "$src/Makefile" ]; then
	make -s -C "$src" distclean >"$tmp/distclean.log" 2>&1 ||
		fail "make distclean in the copy: $(tail -n 20 "$tmp/distclean.log")"
fi
mkdir "$tmp/build"
cd "$tmp/build"

# round ARGS...: configure with ARGS and make the tool and the module.
round() {
	"$src/configure" -q "$@" >"$tmp/configure.log" 2>&1 ||
		fail "configure $*: $(tail -n 20 "$tmp/configure.log")"
	make -s -j2 portdb libnss_portdb.la >"$tmp/make.log" 2>&1 ||
		fail "make after configure $*: $(tail -n 20 "$tmp/make.log")"
}

# paths_are DB DROPIN WHAT: portdb --help and both binaries carry DB and
# DROPIN, and no /usr/local path of the other round.
paths_are() {
	local help
	help=$(./portdb build --help)
	grep -qF "(default $1)" <<<"$help" || fail "$3: portdb build --help does not say $1: $help"
	grep -qF "$2" <<<"$help" || fail "$3: portdb build --help does not say $2: $help"
	# (through files: grep -q would close the pipe early, and pipefail
	# would take strings' SIGPIPE for a failure)
	strings .libs/libnss_portdb.so.2 >"$tmp/module.strings"
	strings portdb >"$tmp/tool.strings"
	grep -qxF "$1" "$tmp/module.strings" || fail "$3: the module does not hold $1"
	grep -qxF "$1" "$tmp/tool.strings" || fail "$3: the tool does not hold $1"
	echo "ok: $3: the tool and the module use $1 and $2"
}

round
paths_are /usr/local/var/lib/portdb/services.lmdb /usr/local/etc/portdb/services.d "the default prefix"
round --prefix=/usr --sysconfdir=/etc --localstatedir=/var
paths_are /var/lib/portdb/services.lmdb /etc/portdb/services.d "--prefix=/usr, in the same tree"
! grep -q /usr/local/var "$tmp/module.strings" "$tmp/tool.strings" ||
	fail "an old path is left in a binary"
echo "ok: configuring again rebuilt the tool and the module"
