#!/bin/sh
# installcheck.sh: run by `make installcheck` (and so by `make distcheck`)
# after `make install [DESTDIR=...]`: the installed tree has every piece in
# its place with its mode, no libtool archive beside the module, units
# that name the installed paths; and the installed portdb and module answer
# through the unmodified getent.
#
# The Makefile passes the installation directories, expanded, and DESTDIR.
set -eu

: "${nssdir:?run through make installcheck}" "${sbindir:?}" "${mandir:?}" "${sysconfdir:?}"
: "${db_path:?}" "${systemdsystemunitdir:?}"
D=${DESTDIR:-}
n=0
fail() { echo "FAIL: installcheck: $*" >&2; exit 1; }

# mode PATH MODE: PATH exists with octal MODE (one of several: 755|644)
mode() {
	[ -e "$1" ] || fail "$1 is missing"
	m=$(stat -c %a "$1")
	case "|$2|" in *"|$m|"*) ;; *) fail "$1 has mode $m, expected $2" ;; esac
	n=$((n + 1))
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/portdb-installcheck.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"

module=$D$nssdir/libnss_portdb.so.2
mode "$module" "644|755"
[ -f "$module" ] && [ ! -L "$module" ] || fail "$module is not a regular file"
for f in "$D$nssdir"/libnss_portdb.la "$D$nssdir"/libnss_portdb.a "$D$nssdir"/libnss_portdb.so; do
	[ ! -e "$f" ] || fail "$f is installed: glibc loads libnss_portdb.so.2 only"
done
n=$((n + 1))
if command -v readelf >/dev/null; then
	readelf -d "$module" | grep -q 'SONAME.*\[libnss_portdb\.so\.2\]' || fail "$module: no SONAME libnss_portdb.so.2"
	n=$((n + 1))
fi

mode "$D$sbindir/portdb" 755
mode "$D$mandir/man8/portdb.8" 644
mode "$D$mandir/man8/nss_portdb.8" 644
# directories: made with the installer's umask
[ -d "$D$sysconfdir/portdb/services.d" ] || fail "the drop-in directory $sysconfdir/portdb/services.d is missing"
[ -z "$(ls -A "$D$sysconfdir/portdb/services.d")" ] || fail "the drop-in directory is not empty"
[ -d "$D$(dirname "$db_path")" ] || fail "the database's directory $(dirname "$db_path") is missing"
n=$((n + 2))

if [ "$systemdsystemunitdir" != no ]; then
	mode "$D$systemdsystemunitdir/portdb.path" 644
	mode "$D$systemdsystemunitdir/portdb-changed.service" 644
	# an edit restarts the build (a start would merge into a running one)
	grep -qx "Unit=portdb-changed.service" "$D$systemdsystemunitdir/portdb.path" &&
		grep -qx "ExecStart=systemctl --no-block restart portdb.service" \
			"$D$systemdsystemunitdir/portdb-changed.service" ||
		fail "portdb.path does not restart portdb.service through portdb-changed.service"
	mode "$D$systemdsystemunitdir/portdb.service" 644
	mode "$D$systemdsystemunitdir/portdb-nscd.service" 644
	# nothing between an edit and its rebuild waits: nscd's delay is
	# portdb-nscd.service's, started without waiting for it
	! grep -q sleep "$D$systemdsystemunitdir/portdb.service" ||
		fail "portdb.service sleeps: its start job would swallow the next edit"
	grep -qx "ExecStartPost=-systemctl --no-block restart portdb-nscd.service" \
		"$D$systemdsystemunitdir/portdb.service" ||
		fail "portdb.service does not hand nscd's invalidation to portdb-nscd.service"
	grep -qx "ExecStart=$sbindir/portdb build -q" "$D$systemdsystemunitdir/portdb.service" ||
		fail "portdb.service does not run $sbindir/portdb"
	grep -qx "PathChanged=/etc/services" "$D$systemdsystemunitdir/portdb.path" &&
		grep -qx "PathChanged=$sysconfdir/portdb/services.d" "$D$systemdsystemunitdir/portdb.path" ||
		fail "portdb.path does not watch /etc/services and $sysconfdir/portdb/services.d"
	! grep -q '@[a-z]*@' "$D$systemdsystemunitdir/portdb.path" "$D$systemdsystemunitdir/portdb.service" \
		"$D$systemdsystemunitdir/portdb-nscd.service" \
		"$D$systemdsystemunitdir/portdb-changed.service" ||
		fail "a unit has an unsubstituted @variable@"
	# systemd's own check, on copies that run the portdb under DESTDIR
	if command -v systemd-analyze >/dev/null; then
		mkdir "$tmp/units"
		for u in portdb.path portdb-changed.service portdb.service portdb-nscd.service; do
			sed "s|=$sbindir/portdb |=$D$sbindir/portdb |" "$D$systemdsystemunitdir/$u" >"$tmp/units/$u"
		done
		systemd-analyze verify --man=no "$tmp/units/portdb.path" "$tmp/units/portdb.service" \
			"$tmp/units/portdb-nscd.service" "$tmp/units/portdb-changed.service" ||
			fail "systemd-analyze verify rejects the units"
	fi
	n=$((n + 1))
fi

# The installed pieces work: index a file, ask getent through the module.
printf 'installcheck-svc 54399/tcp icsvc\n' >"$tmp/services"
"$D$sbindir/portdb" --help | grep -q "$db_path" || fail "portdb --help does not name the database $db_path"
"$D$sbindir/portdb" build -q -o "$tmp/db.lmdb" "$tmp/services" || fail "the installed portdb cannot build"
got=$(LD_LIBRARY_PATH=$D$nssdir NSS_PORTDB_PATH=$tmp/db.lmdb getent -s services:portdb services icsvc) ||
	fail "getent through the installed module found nothing"
[ "$got" = "installcheck-svc      54399/tcp icsvc" ] || fail "getent through the installed module: '$got'"
n=$((n + 2))

echo "ok: installcheck: $n checks in ${D:-/}"
